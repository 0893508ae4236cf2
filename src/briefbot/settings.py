"""Settings from the environment or a ``.env`` file (pydantic-settings).

Built in the entry points only, never at import time, so the CLI and the tests need no
token. Every field is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from . import defaults
from .corpus import default_corpus_dir
from .defaults import default_feedback_db


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # "BRIEFBOT_DEV_GUILD_ID=" in .env means "not set"
    )

    corpus_dir: Path = Field(default_factory=default_corpus_dir)
    cache_dir: Path | None = None
    top: int = Field(defaults.TOP, ge=1, le=10)

    discord_token: SecretStr | None = Field(None, validation_alias="DISCORD_TOKEN")
    dev_guild_id: int | None = None
    answer_channels: Annotated[list[int], NoDecode] = Field(default_factory=list)
    owner_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    cooldown_questions: int = Field(3, ge=1)
    cooldown_seconds: float = Field(30.0, gt=0)
    message_content: bool = True
    max_question_chars: int = Field(defaults.MAX_QUESTION_CHARS, ge=1, le=1000)
    log_level: str = "INFO"
    shard_count: int | None = Field(None, ge=1)
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    feedback_db: Path = Field(default_factory=default_feedback_db)
    feedback_retention_days: float = Field(defaults.FEEDBACK_RETENTION_DAYS, gt=0)

    @model_validator(mode="after")
    def _shards(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("BRIEFBOT_SHARD_IDS needs BRIEFBOT_SHARD_COUNT")
        if self.shard_count is not None:
            wrong = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if wrong or len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError(
                    f"BRIEFBOT_SHARD_IDS must be distinct ids from 0 to {self.shard_count - 1}"
                )
        return self

    @field_validator("answer_channels", "owner_ids", "shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(",", " ").split()]
        if isinstance(value, int):
            return [value]
        return value
