"""Organisation: the workspace (agency), its markets, brands, channels, users and brand memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin
from app.models.enums import Platform, Role


class Workspace(CreatedAtMixin, VersionedMixin, Base):
    """The agency or company running the hub; one per database in practice."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # True while the workspace holds the generated demo data (the app shows a banner).
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first move in a crisis: stops every publish job for every brand.
    publishing_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    default_timezone: Mapped[str] = mapped_column(String(64), default="UTC")


class Market(CreatedAtMixin, VersionedMixin, Base):
    """A country or region with its languages, time zone and currency (e.g. Singapore: en + zh)."""

    __tablename__ = "markets"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    country_code: Mapped[str] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # How dates are written in this market's exports and sheets, e.g. "%d/%m/%Y".
    date_format: Mapped[str] = mapped_column(String(20), default="%d/%m/%Y")


class Brand(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(120))
    # Regulated brands (health, finance, alcohol) get a legal stage in their approval flow.
    regulated: Mapped[bool] = mapped_column(Boolean, default=False)
    color: Mapped[str] = mapped_column(String(7), default="#4C78A8")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    publishing_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Governed UTM naming: {"source": {platform: value}, "medium": "social", "campaign_pattern": regex,
    # "content": "{post_id}-{platform}"}; empty means the house defaults (app.services.utm).
    utm_conventions: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    market: Mapped[Market] = relationship(lazy="joined")
    channels: Mapped[list[Channel]] = relationship(back_populates="brand", order_by="Channel.id")


class Channel(CreatedAtMixin, VersionedMixin, Base):
    """One brand's account on one platform (brand × platform account), e.g. @lumiskin on Instagram."""

    __tablename__ = "channels"
    __table_args__ = (
        UniqueConstraint("brand_id", "platform", "handle"),
        UniqueConstraint("slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    platform: Mapped[Platform] = mapped_column(StrEnumType(Platform))
    handle: Mapped[str] = mapped_column(String(200))
    # Globally unique identifier that CLI commands take, e.g. "lumi-instagram".
    slug: Mapped[str] = mapped_column(String(120))
    display_name: Mapped[str | None] = mapped_column(String(200))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"))
    external_account_id: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    brand: Mapped[Brand] = relationship(back_populates="channels")


class User(CreatedAtMixin, VersionedMixin, Base):
    """A person who signs in (matched by e-mail from the identity provider)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # Role on every brand of the workspace (agency staff). None: access only through memberships.
    role: Mapped[Role | None] = mapped_column(StrEnumType(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.brand_id"
    )


class Membership(CreatedAtMixin, Base):
    """A user's role on one brand; it overrides the user's workspace role for that brand."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "brand_id"), Index("ix_memberships_brand", "brand_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))

    user: Mapped[User] = relationship(back_populates="memberships")
    brand: Mapped[Brand] = relationship()
