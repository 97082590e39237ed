"""SOP checklists: versioned templates with steps, brand requirements, and runs with step results.

Editing a template makes a new version; a run keeps the version it started with.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow
from app.models.enums import PostType, Role, SopObjectType, SopRunStatus, StepStatus


class SopTemplate(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "sop_templates"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # None: available to every brand of the workspace.
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    applies_to: Mapped[SopObjectType] = mapped_column(StrEnumType(SopObjectType))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    versions: Mapped[list[SopTemplateVersion]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="SopTemplateVersion.number"
    )


class SopTemplateVersion(CreatedAtMixin, Base):
    __tablename__ = "sop_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("sop_templates.id", ondelete="CASCADE"))
    number: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    template: Mapped[SopTemplate] = relationship(back_populates="versions")
    steps: Mapped[list[SopStep]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="SopStep.position"
    )


class SopStep(Base):
    __tablename__ = "sop_steps"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("sop_template_versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    owner_role: Mapped[Role | None] = mapped_column(StrEnumType(Role))
    # Key of an automatic check the hub evaluates (e.g. "variants_have_alt_text"); None: a person ticks it.
    auto_check: Mapped[str | None] = mapped_column(String(80))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    due_offset_hours: Mapped[int | None]

    version: Mapped[SopTemplateVersion] = relationship(back_populates="steps")


class SopRequirement(CreatedAtMixin, Base):
    """A brand requires a checklist for a post type or a campaign before posts can be scheduled."""

    __tablename__ = "sop_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("sop_templates.id", ondelete="CASCADE"))
    post_type: Mapped[PostType | None] = mapped_column(StrEnumType(PostType))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))


class SopRun(CreatedAtMixin, VersionedMixin, Base):
    """A checklist being worked through for one object (post, campaign, report, incident...)."""

    __tablename__ = "sop_runs"
    __table_args__ = (
        Index("ix_sop_runs_object", "object_type", "object_id"),
        Index("ix_sop_runs_brand_status", "brand_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_version_id: Mapped[int] = mapped_column(ForeignKey("sop_template_versions.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    object_type: Mapped[SopObjectType] = mapped_column(StrEnumType(SopObjectType))
    object_id: Mapped[int]
    status: Mapped[SopRunStatus] = mapped_column(StrEnumType(SopRunStatus), default=SopRunStatus.OPEN)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    results: Mapped[list[SopStepResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="SopStepResult.step_id"
    )


class SopStepResult(VersionedMixin, Base):
    __tablename__ = "sop_step_results"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("sop_steps.id"))
    status: Mapped[StepStatus] = mapped_column(StrEnumType(StepStatus), default=StepStatus.PENDING)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # What the automatic check found, in words, when the step has one.
    auto_result: Mapped[str | None] = mapped_column(Text)

    run: Mapped[SopRun] = relationship(back_populates="results")
