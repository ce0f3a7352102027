from flask import Blueprint, abort, jsonify

from shop import cart, db, payments

bp = Blueprint("checkout", __name__)


@bp.post("/checkout/<session_id>")
def checkout(session_id: str):
    items = cart.items(session_id)
    if not items:
        abort(400, "the cart is empty")
    prices = {i: p for i, _, p in db.products()}
    total = sum(prices[product] * quantity for product, quantity in items.items())
    intent = payments.create_payment_intent(total, currency="eur")
    order_id = db.create_order(items, intent.id)
    cart.clear(session_id)
    return jsonify({"order": order_id, "client_secret": intent.client_secret})
