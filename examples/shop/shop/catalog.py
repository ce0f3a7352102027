from flask import Blueprint, jsonify, request

from shop import cart, db

bp = Blueprint("catalog", __name__)


@bp.get("/products")
def list_products():
    return jsonify([{"id": i, "name": n, "price_cents": p} for i, n, p in db.products()])


@bp.post("/cart/<session_id>")
def add_to_cart(session_id: str):
    body = request.get_json(force=True)
    cart.add(session_id, int(body["product_id"]), int(body.get("quantity", 1)))
    return jsonify(cart.items(session_id))
