"""Configuration from the environment (`PROXIMA_` prefix), validated once at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "proxima-development-secret-change-me"  # noqa: S105 - refused outside development
VAR_DIR = Path("var")


class Settings(BaseSettings):
    """Every knob an operator may turn; defaults suit a laptop and the demo company."""

    model_config = SettingsConfigDict(env_prefix="PROXIMA_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'proxima.db'}"
    secret_key: str = DEV_SECRET
    db_pool_size: int = 10
    db_max_overflow: int = 5
    sqlite_busy_timeout_ms: int = 10_000

    default_locale: Literal["en", "fr"] = "en"
    timezone: str = "Europe/Paris"  # how event times are typed in forms and shown
    group_threshold: int = 5

    session_days: int = 14
    cookie_secure: bool | None = None  # None: Secure when the request came over HTTPS
    login_window_seconds: int = 15 * 60
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30

    # argon2 cost; tests lower it, production keeps pwdlib's recommended parameters
    argon2_time_cost: int | None = None
    argon2_memory_cost: int | None = None

    # the engagement engine's rules (docs/engagement.md); windows in days
    engagement_window_days: int = 30
    engagement_promotion_window_days: int = 60
    engagement_read_days: int = 3
    engagement_contribution_posts: int = 1
    engagement_contribution_comments: int = 2
    engagement_promotion_signals: int = 2
    engagement_like_departments: int = 3
    engagement_disappointment_days: int = 30

    max_upload_bytes: int = 5 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    photo_size: int = 512
    max_import_bytes: int = 10 * 1024 * 1024

    # outgoing email: notification emails and digests (`proxima notifications send-digests`)
    base_url: str = "http://127.0.0.1:8000"  # how people reach Proxima: the links in emails
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False  # SMTP over TLS from the first byte (usually port 465)
    smtp_from: str = "Proxima <proxima@localhost>"
    smtp_timeout: float = 30.0  # seconds
    digest_hour: int = 8  # daily digests go out from this local hour on; weekly ones on Mondays

    # live updates (docs/operations.md, "Live updates"): the broker carrying events between server
    # processes is Redis when redis_url is set, else PostgreSQL LISTEN/NOTIFY on PostgreSQL, else
    # the in-process one ("auto"); live_channel names the Redis channel / NOTIFY channel
    redis_url: str | None = None
    live_broker: Literal["auto", "memory", "redis", "postgres"] = "auto"
    live_channel: str = "proxima_live"
    live_max_connections: int = 5000  # open event streams per server process; 503 beyond
    live_heartbeat_seconds: float = 20.0
    live_stream_seconds: float = 1800.0  # a stream ends after this (+-10%); the browser reconnects
    live_retry_ms: int = 5000  # the reconnection delay suggested to browsers

    log_level: str = "INFO"
    log_json: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("PROXIMA_SECRET_KEY must be set to a long random value in production")
        if self.env == "production" and len(self.secret_key) < 32:
            raise ValueError("PROXIMA_SECRET_KEY must be at least 32 characters long")
        return self

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings read from the environment."""
    return Settings()
