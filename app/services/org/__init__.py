"""The organisation: the workspace, its markets, brands, channels and people with their roles, and getting a
database ready (migrate; seed it with what the caller passes, such as the demo)."""

from __future__ import annotations

from app.services.org import brands, channels, markets, users
from app.services.org.brands import (
    BrandInfo,
    brand_field,
    find_brand,
    get_brand,
    list_brands,
    visible_brands_clause,
)
from app.services.org.channels import (
    DEFAULT_CONNECTOR,
    ENV_NAME_RE,
    channel_label,
    create_channel,
    get_channel,
)
from app.services.org.setup import DbState, Progress, Seeder, database_state, prepare_database, reset_database
from app.services.org.users import (
    UserInfo,
    act_as,
    ensure_local_admin,
    load_actor,
    people_to_act_as,
    record_acting,
)
from app.services.org.workspace import current_workspace, workspace_info

__all__ = [
    "DEFAULT_CONNECTOR",
    "ENV_NAME_RE",
    "BrandInfo",
    "DbState",
    "Progress",
    "Seeder",
    "UserInfo",
    "act_as",
    "brand_field",
    "brands",
    "channel_label",
    "channels",
    "create_channel",
    "current_workspace",
    "database_state",
    "ensure_local_admin",
    "find_brand",
    "get_brand",
    "get_channel",
    "list_brands",
    "load_actor",
    "markets",
    "people_to_act_as",
    "prepare_database",
    "record_acting",
    "reset_database",
    "users",
    "visible_brands_clause",
    "workspace_info",
]
