"""Orders and products live in Postgres."""

import psycopg
from flask import current_app, g


def connection() -> psycopg.Connection:
    if "db" not in g:
        g.db = psycopg.connect(current_app.config["DATABASE_URL"])
    return g.db


def products() -> list[tuple[int, str, int]]:
    with connection().cursor() as cur:
        cur.execute("SELECT id, name, price_cents FROM products ORDER BY name")
        return cur.fetchall()


def create_order(cart: dict[int, int], payment_intent: str) -> int:
    with connection().cursor() as cur:
        cur.execute(
            "INSERT INTO orders (payment_intent, status) VALUES (%s, 'pending') RETURNING id",
            (payment_intent,),
        )
        order_id = cur.fetchone()[0]
        for product_id, quantity in cart.items():
            cur.execute(
                "INSERT INTO order_lines (order_id, product_id, quantity) VALUES (%s, %s, %s)",
                (order_id, product_id, quantity),
            )
    connection().commit()
    return order_id


def mark_paid(payment_intent: str) -> int | None:
    with connection().cursor() as cur:
        cur.execute(
            "UPDATE orders SET status = 'paid' WHERE payment_intent = %s RETURNING id",
            (payment_intent,),
        )
        row = cur.fetchone()
    connection().commit()
    return row[0] if row else None
