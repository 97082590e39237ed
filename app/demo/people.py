"""The people of the demo agency (roles, one-brand approvers, client users) and of the synthetic agency,
and who works which demo brand."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enums import Role


@dataclass(frozen=True)
class PersonSpec:
    key: str
    email: str
    name: str
    role: Role | None
    memberships: tuple[tuple[str, Role], ...] = ()


DEMO_PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("admin", "admin@kopi.example", "Daniel Tan", Role.ADMIN),
    PersonSpec("lead", "mei.lim@kopi.example", "Mei Lim", Role.MANAGER),
    PersonSpec("editor_my", "farah.aziz@kopi.example", "Farah Aziz", Role.EDITOR),
    PersonSpec("editor_id", "budi.santoso@kopi.example", "Budi Santoso", Role.EDITOR),
    # An approver on one brand only: no workspace role, so she sees Warisan and nothing else.
    PersonSpec("approver", "rachel.ng@kopi.example", "Rachel Ng", None, (("warisan", Role.APPROVER),)),
    PersonSpec("legal", "priya.nair@kopi.example", "Priya Nair", None, (("lumi", Role.APPROVER),)),
    PersonSpec("cm_sg", "weiling.chua@kopi.example", "Wei Ling Chua", Role.COMMUNITY_MANAGER),
    PersonSpec("cm_id", "putri.wulandari@kopi.example", "Putri Wulandari", Role.COMMUNITY_MANAGER),
    PersonSpec("viewer", "jon.lee@kopi.example", "Jonathan Lee", Role.VIEWER),
    # Client-side users: they only approve their own brand's content.
    PersonSpec(
        "client_senja", "sari.dewi@kopi.example", "Sari Dewi (Kopi Senja)", None, (("senja", Role.APPROVER),)
    ),
    PersonSpec(
        "client_lumi", "grace.teo@kopi.example", "Grace Teo (Lumi Skin Lab)", None, (("lumi", Role.APPROVER),)
    ),
)

# Who works which brand: editors write, community managers answer.
BRAND_EDITOR = {"lumi": "lead", "warisan": "editor_my", "senja": "editor_id"}
BRAND_CM = {"lumi": "cm_sg", "warisan": "cm_sg", "senja": "cm_id"}
BRAND_APPROVER = {"lumi": "client_lumi", "warisan": "approver", "senja": "client_senja"}

# The synthetic agency: a handful of staff for thousands of brands.
AGENCY_PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("admin", "admin@synthetic.example", "Synthetic Admin", Role.ADMIN),
    PersonSpec("lead", "lead@synthetic.example", "Account Lead", Role.MANAGER),
    PersonSpec("editor1", "editor1@synthetic.example", "Editor One", Role.EDITOR),
    PersonSpec("editor2", "editor2@synthetic.example", "Editor Two", Role.EDITOR),
    PersonSpec("editor3", "editor3@synthetic.example", "Editor Three", Role.EDITOR),
    PersonSpec("cm1", "cm1@synthetic.example", "Community One", Role.COMMUNITY_MANAGER),
    PersonSpec("cm2", "cm2@synthetic.example", "Community Two", Role.COMMUNITY_MANAGER),
    PersonSpec("viewer", "viewer@synthetic.example", "Read Only", Role.VIEWER),
)
