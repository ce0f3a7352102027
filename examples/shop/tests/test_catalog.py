from shop import create_app
from shop.config import Config


def test_healthz_answers_without_a_database():
    app = create_app(Config("postgresql://x", "redis://x", "sk_test", ""))
    assert app.test_client().get("/healthz").status_code == 200
