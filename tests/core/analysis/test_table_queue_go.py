"""A Go table used as a queue through SQL strings (`table_queue_go`): inserted in one
function, selected by a function run on a clock that also works the rows off."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

GO_MOD = "module example.com/kiln\n\ngo 1.22\n"
STORE = """package kiln

import "database/sql"

type vault struct {
\t*sql.DB
}

func (v *vault) AddChore(name string) error {
\t_, err := v.Exec("INSERT INTO chores (name) VALUES (?)", name)
\treturn err
}

func (v *vault) DueChores() ([]int64, error) {
\trows, err := v.Query(`SELECT id
\t\tFROM chores WHERE created < ?`, 5)
\tif err != nil {
\t\treturn nil, err
\t}
\tdefer rows.Close()
\treturn nil, nil
}

func (v *vault) DropChore(id int64) {
\tv.Exec("DELETE FROM chores WHERE id = ?", id)
}

func (v *vault) AddNote(text string) {
\tv.Exec("INSERT INTO notes (text) VALUES (?)", text)
}

func (v *vault) Notes() {
\tv.Query("SELECT text FROM notes")
}

func (v *vault) DropNote(id int64) {
\tv.Exec("DELETE FROM notes WHERE id = ?", id)
}
"""
WORKER = """package kiln

import "time"

func runChores(v *vault) {
\tt := time.NewTicker(90 * time.Second)
\tfor {
\t\t<-t.C
\t\tids, _ := v.DueChores()
\t\tfinish(v, ids)
\t}
}

func finish(v *vault, ids []int64) {
\tfor _, id := range ids {
\t\tv.DropChore(id)
\t}
}
"""
HANDLERS = """package kiln

import "net/http"

func handleChore(v *vault) http.HandlerFunc {
\treturn func(w http.ResponseWriter, r *http.Request) {
\t\t// v.AddChore("in a comment")
\t\tgo v.AddChore(r.FormValue("name"))
\t}
}

func handleNote(v *vault) http.HandlerFunc {
\treturn func(w http.ResponseWriter, r *http.Request) {
\t\tv.AddNote(r.FormValue("text"))
\t\tv.Notes()
\t\tv.DropNote(1)
\t}
}
"""


def facts_of(files: dict[str, str]) -> RepoFacts:
    data = {p: t.encode() for p, t in files.items()}
    return analyze(MemorySnapshot(data), MemoryFactsCache(), default_catalog())


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if marker in line)


def app(**more: str) -> dict[str, str]:
    return {"go.mod": GO_MOD, "store.go": STORE, "worker.go": WORKER, "handlers.go": HANDLERS}


def test_a_table_a_clock_selects_and_deletes_is_a_queue_with_both_ends() -> None:
    got = {h.name: h for h in facts_of(app()).handoffs if h.mechanism == "db-table"}
    assert set(got) == {"chores"}, got  # `notes`: handlers only, no clock reads it
    chores = got["chores"]
    consumers = {(e.path, e.line) for e in chores.consumers}
    assert consumers == {("worker.go", line_of(WORKER, "func runChores"))}
    producers = {(e.path, e.line) for e in chores.producers}
    assert ("handlers.go", line_of(HANDLERS, "go v.AddChore")) in producers
    assert ("store.go", line_of(STORE, "INSERT INTO chores")) in producers
    assert ("handlers.go", line_of(HANDLERS, "// v.AddChore")) not in producers


def test_a_clock_that_reads_but_never_works_rows_off_is_no_queue() -> None:
    files = app()
    files["worker.go"] = WORKER.replace("v.DropChore(id)", "_ = id")
    assert not [h for h in facts_of(files).handoffs if h.mechanism == "db-table"]


def test_sql_in_comments_or_lower_case_prose_makes_no_queue() -> None:
    files = app()
    files["store.go"] = STORE.replace('"DELETE FROM chores', '"delete from chores').replace(
        'v.Exec("INSERT INTO chores', '// v.Exec("INSERT INTO chores'
    )
    assert not [h for h in facts_of(files).handoffs if h.mechanism == "db-table"]


def test_go_table_queues_stay_fast_on_hostile_files() -> None:
    many = "".join(
        f'func F{i}() {{ q("INSERT INTO t{i % 50} x"); q("SELECT a FROM t{i % 50}") }}\n'  # noqa: S608
        for i in range(5_000)
    )
    files = {
        **app(),
        "many.go": "package kiln\n\n" + many,
        "long.go": 'package kiln\n\nfunc L() {\n\tq("' + "FROM " * 60_000 + '")\n}\n',
        "deep.go": "package kiln\n\nfunc D() {\n" + "\tq(" * 3_000 + "\n}\n",
        "heads.go": "package kiln\n\n" + "func (" * 20_000 + "\n",
    }
    started = time.monotonic()
    facts_of(files)
    assert time.monotonic() - started < 30
