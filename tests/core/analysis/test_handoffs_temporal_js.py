"""Temporal (TypeScript) hand-offs and durable timers: invented apps, each rule with a
look-alike that must not match, and hostile inputs that must stay fast."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs import sites_for
from bot.core.analysis.handoffs_temporal_js import temporal_sites
from bot.core.analysis.movement import javascript_may_move
from bot.core.analysis.schedules import schedules_for
from tests.core.analysis.test_egress_registry import facts_of

STARTER = """\
export class KettleService {
  async brew(potId: string) {
    await this.engine.client
      .raw()
      ?.workflow.start('steepWorkflow', {
        workflowId: `steep_${potId}`,
        args: [{ potId }],
        taskQueue: 'kitchen',
      });
    // this.engine.client.workflow.start('ghostWorkflow', { taskQueue: 'kitchen' });
    await this.other.workflow.start('notTemporal', { retries: 2 });
    return this.engine.client.workflow.signalWithStart(pourWorkflow, {
      taskQueue: 'kitchen', signal: 'pour',
    });
  }
}
"""

WORKFLOW = """\
import { proxyActivities, sleep, condition, startChild } from '@temporalio/workflow';
import type { KettleActivity } from './kettle.activity';

const forQueue = (taskQueue: string) => {
  return proxyActivities<KettleActivity>({ startToCloseTimeout: '1 minute', taskQueue });
};

const { boilWater, fetchLeaves: leaves } = proxyActivities<KettleActivity>({
  startToCloseTimeout: '1 minute',
});

export async function steepWorkflow({ potId }: { potId: string }) {
  const { pourCup } = forQueue('pots');
  await boilWater(potId);
  await leaves(potId);
  // await pourCup(potId);
  await sleep('3 minutes');
  await condition(() => ready, '1 hour');
  await condition(() => ready);
  await pourCup(potId);
  this.boilWater(potId);
  await startChild(steepWorkflow, { args: [{ potId }] });
}

export async function pourWorkflow() {
  while (true) {
    await sleep(5000);
  }
}
"""

ACTIVITY = """\
@Injectable()
@Activity()
export class KettleActivity {
  @ActivityMethod()
  async boilWater(potId: string) {
    return this.stove.heat(potId);
  }

  @ActivityMethod()
  @Traced()
  public async fetchLeaves(potId: string) {
    return potId;
  }

  async pourCup(potId: string) {
    return potId;
  }
}
"""


def _ends(text: str) -> set[tuple[str, str, int]]:
    return {(s.role, s.name, s.line) for s in temporal_sites(text)}


def test_a_client_starting_a_workflow_with_a_task_queue_produces_it() -> None:
    assert _ends(STARTER) == {("produce", "steepWorkflow", 5), ("produce", "pourWorkflow", 12)}
    assert javascript_may_move(STARTER)
    # the whole JS scan carries them
    assert {s.name for s in sites_for("typescript", STARTER)} >= {"steepWorkflow"}


def test_a_workflow_file_consumes_its_exports_and_produces_its_activities() -> None:
    ends = _ends(WORKFLOW)
    assert ("consume", "steepWorkflow", 12) in ends
    assert ("consume", "pourWorkflow", 25) in ends
    assert ("produce", "boilWater", 14) in ends
    assert ("produce", "fetchLeaves", 15) in ends  # called by its local alias
    assert ("produce", "pourCup", 20) in ends  # through a local factory
    assert ("produce", "steepWorkflow", 22) in ends  # a child workflow
    lines = {line for _, _, line in ends}
    assert 17 not in lines  # the commented-out call
    assert 21 not in lines  # `this.boilWater(`: another object's method


def test_activity_methods_consume_by_their_decorator() -> None:
    assert _ends(ACTIVITY) == {("consume", "boilWater", 5), ("consume", "fetchLeaves", 11)}
    # without the workflow package, exported functions are no workflows
    plain = "export async function steepWorkflow() {\n  return workflow;\n}\n"
    assert temporal_sites(plain) == ()


def test_durable_timers_are_schedules_and_a_loop_keeps_its_own() -> None:
    found = schedules_for("typescript", WORKFLOW)
    timers = {(s.name, s.line) for s in found if s.mechanism == "temporal timer"}
    assert timers == {("steepWorkflow", 17), ("steepWorkflow", 18)}
    assert any(s.line == 27 and s.mechanism != "temporal timer" for s in found)
    # the same calls outside a workflow file are no timers
    assert not [
        s
        for s in schedules_for("typescript", WORKFLOW.replace("@temporalio/workflow", "./x"))
        if s.mechanism == "temporal timer"
    ]


def test_hostile_temporal_inputs_stay_fast() -> None:
    head = "import { proxyActivities, sleep } from '@temporalio/workflow';\n"
    texts = [
        head + "{ a, " * 50_000 + "\n",
        head + "const { " + "a, " * 1500 + "} = proxyActivities<X>({});\n" + "a(1);\n" * 20_000,
        head + "workflow.start(" * 20_000 + "taskQueue",
        head + "sleep(" * 50_000,
        head + "condition(" + "x" * 100_000 + "\n",
        "@ActivityMethod()\n" * 50_000,
        head + ("  " * 5000 + "export async function w() {\n") * 50,
        head + "return proxyActivities\n" * 20_000,
    ]
    for text in texts:
        start = time.perf_counter()
        temporal_sites(text)
        schedules_for("typescript", text)
        assert time.perf_counter() - start < 2.0


def test_a_broker_the_compose_file_runs_is_a_store_and_a_queue_library_is_not() -> None:
    package = '{"name": "kettle", "dependencies": {"amqplib": "1", "bullmq": "5"}}'
    code = "import amqp from 'amqplib';\nimport { Queue } from 'bullmq';\n"
    served = facts_of(
        {
            "package.json": package,
            "src/app.ts": code,
            "docker-compose.yml": "services:\n  broker:\n    image: rabbitmq:3-management\n",
        }
    )
    assert "RabbitMQ" in {s.name for s in served.datastores}
    assert "BullMQ" in {s.name for s in served.integrations}
    # the same broker without an image of its own: a service the app is given
    given = facts_of({"package.json": package, "src/app.ts": code})
    assert "RabbitMQ" not in {s.name for s in given.datastores}
    assert "RabbitMQ" in {s.name for s in given.integrations}
