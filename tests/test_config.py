"""Settings: defaults < PRECIS_* environment < CLI flags; bad values name their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from precis.config import SETTINGS, Settings
from precis.errors import ConfigError


def test_defaults() -> None:
    settings = Settings.load({})
    assert settings.max_input_bytes == 20_000_000
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("precis.db")
    assert settings.boilerplate_rules is None


def test_environment_then_flags() -> None:
    env = {
        "PRECIS_DATABASE_URL": "sqlite:///env.db",
        "PRECIS_MAX_INPUT_BYTES": "1234",
        "PRECIS_BOILERPLATE_RULES": "/etc/precis/rules.toml",
        "PRECIS_LOG_SQL": "yes",
    }
    settings = Settings.load(env, database_url="sqlite:///flag.db")
    assert settings.database_url == "sqlite:///flag.db"
    assert settings.max_input_bytes == 1234
    assert settings.boilerplate_rules == Path("/etc/precis/rules.toml")
    assert settings.log_sql is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("PRECIS_MAX_INPUT_BYTES", "ten"),
        ("PRECIS_MAX_INPUT_BYTES", "0"),
        ("PRECIS_MAX_INPUT_BYTES", "1.5"),
        ("PRECIS_LOG_SQL", "perhaps"),
    ],
)
def test_bad_values_name_their_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load({key: value})
    assert caught.value.key == key
    assert value in caught.value.message


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.load({}, colour="blue")


def test_describe_lists_every_setting_and_hides_the_token() -> None:
    described = Settings.load({"PRECIS_API_TOKEN": "s3cret"}).describe()
    assert [name for name, _, _ in described] == [s.name for s in SETTINGS]
    assert "s3cret" not in str(described)
