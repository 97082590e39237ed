"""`python -m app objectives|pillars|segments|campaigns|targets`: add and list a brand's strategy and
its KPI targets as the issue writes the commands; bad input on every command is one line naming the
option and the field, exit code 1, and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from app.cli import main
from app.db import dispose_engine, get_engine, read_session, write_session
from app.models import AudienceSegment, AuditLog, Campaign, ContentPillar, KpiTarget, Objective
from app.services.core import Actor
from app.services.measurement import dictionary

SETUP = [
    ("db", "reset", "--yes", "--name", "Acme Social"),
    (
        "markets",
        "add",
        "sg",
        "--name",
        "Singapore",
        "--country",
        "SG",
        "--languages",
        "en",
        "--timezone",
        "Asia/Singapore",
        "--currency",
        "SGD",
    ),
    (
        "markets",
        "add",
        "my",
        "--name",
        "Malaysia",
        "--country",
        "MY",
        "--languages",
        "ms",
        "--timezone",
        "Asia/Kuala_Lumpur",
        "--currency",
        "MYR",
    ),
    ("brands", "add", "lumi", "--name", "Lumi Skincare", "--market", "sg"),
    ("brands", "add", "teh", "--name", "Teh Tarik House", "--market", "my"),
    ("channels", "add", "--brand", "lumi", "--platform", "instagram", "--handle", "@lumiskin"),
    ("channels", "add", "--brand", "teh", "--platform", "instagram", "--handle", "@teh"),
]


@pytest.fixture(scope="module")
def workspace(databases, empty_template: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A store set up by the commands once per module (a market each for two brands, a channel each)
    and one metric of the dictionary; each test gets a copy."""
    url = databases.new(template=empty_template)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        for args in SETUP:
            assert main(list(args)) == 0, args
    with write_session(get_engine(url)) as s:
        dictionary.save_metric(s, Actor.system("test"), dictionary.MetricInput(key="reach", name="Reach"))
    dispose_engine(url)
    yield url
    databases.drop(url)


@pytest.fixture
def cli(databases, workspace: str, use_db, capsys):  # type: ignore[no-untyped-def]
    """Runs `python -m app ARGS` in-process on a copy of the workspace; returns (exit code, stdout,
    stderr)."""
    url = databases.new(template=workspace)
    engine = get_engine(url)
    use_db(engine)
    capsys.readouterr()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    run.engine = engine  # type: ignore[attr-defined]
    yield run
    databases.drop(url)


def _written(engine: Engine) -> tuple[int, ...]:
    with read_session(engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Objective, ContentPillar, AudienceSegment, Campaign, KpiTarget, AuditLog)
        )


def _refused(cli, *args: str, names: str) -> str:  # type: ignore[no-untyped-def]
    """Run a command that must be refused: exit 1, one line on stderr naming `names`, nothing written."""
    before = _written(cli.engine)
    code, out, err = cli(*args)
    assert code == 1, (args, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert names in err, (names, err)
    assert "Traceback" not in err and out == ""
    assert _written(cli.engine) == before, f"{args} wrote something"
    return err


def _rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.strip().splitlines()]


def test_help_lists_the_strategy_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("objectives", "pillars", "segments", "campaigns", "targets"):
        assert f"    {command}" in out
    with pytest.raises(SystemExit):
        main(["campaigns", "add", "--help"])
    out = capsys.readouterr().out
    for option in ("--objective", "--budget", "--currency", "--pillar", "--market", "--channel", "--utm"):
        assert option in out


def test_objectives_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "objectives", "add", "--brand", "lumi", "--name", "Be known", "--kind", "awareness", "--metric", "reach",
        "--target", "50000", "--from", "2027-01-01", "--to", "2027-06-30",
    )  # fmt: skip
    assert code == 0, err
    assert out == "added objective 'Be known' (awareness for lumi, measured by reach)\n"
    assert cli("objectives", "add", "--brand", "teh", "--name", "Loyal", "--kind", "retention")[0] == 0
    code, out, _ = cli("objectives", "list")
    header, *rows = _rows(out)
    assert header[:4] == ["NAME", "BRAND", "KIND", "KPI"]
    assert [r[0] for r in rows] == ["Be", "Loyal"]  # by brand name: Lumi, then Teh
    code, out, _ = cli("objectives", "--brand", "lumi", "--json")
    (row,) = json.loads(out)
    assert (row["name"], row["kind"], row["kpi_metric_key"], row["target_value"]) == (
        "Be known",
        "awareness",
        "reach",
        "50000.0000",
    )
    assert (row["period_start"], row["period_end"], row["archived"]) == ("2027-01-01", "2027-06-30", False)


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (("--brand", "nope"), "--brand: no brand 'nope'"),
        (("--kind", "fame"), "--kind: kind 'fame' is not one of"),
        (("--metric", "likes"), "--metric: kpi_metric: metric 'likes' is not in the metrics dictionary"),
        (("--target", "lots"), "--target: target_value 'lots' is not a number"),
        (("--from", "2027-02-30"), "--from: period_start '2027-02-30' is not a date"),
        (("--from", "2027-03-01", "--to", "2027-02-01"), "--to: period_end 2027-02-01 is before the start"),
        (("--name", "Be known"), "--name: Lumi Skincare already has an objective named 'Be known'"),
    ],
)
def test_objectives_add_refuses_bad_input(cli, extra, names) -> None:  # type: ignore[no-untyped-def]
    assert cli("objectives", "add", "--brand", "lumi", "--name", "Be known", "--kind", "awareness")[0] == 0
    base = {"--brand": "lumi", "--name": "Grow", "--kind": "engagement"}
    args = dict(base)
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    _refused(cli, "objectives", "add", *[x for kv in args.items() for x in kv], names=names)


def test_pillars_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "pillars", "add", "--brand", "lumi", "--name", "Skin science", "--share", "40", "--color", "#112233"
    )
    assert (code, out) == (0, "added pillar 'Skin science' (lumi, 40% of posts)\n"), err
    assert (
        cli("pillars", "add", "--brand", "lumi", "--name", "Routines", "--description", "Morning & night")[0]
        == 0
    )
    code, out, _ = cli("pillars", "list", "--brand", "lumi")
    header, *rows = _rows(out)
    assert header[:3] == ["NAME", "BRAND", "SHARE"] and [r[0] for r in rows] == ["Routines", "Skin"]
    rows = json.loads(cli("pillars", "list", "--json")[1])
    assert [(r["name"], r["target_share_pct"], r["color"]) for r in rows] == [
        ("Routines", None, "#72B7B2"),
        ("Skin science", 40, "#112233"),
    ]


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (("--brand", "nope"), "--brand: no brand 'nope'"),
        (("--share", "101"), "--share: target_share_pct '101' must be a whole percent from 0 to 100"),
        (("--share", "-1"), "--share: target_share_pct '-1'"),
        (
            ("--share", "61"),
            "--share: target_share_pct 61: Lumi Skincare's other active pillars already take 40%",
        ),
        (("--color", "teal"), "--color: color 'teal' must look like"),
        (("--name", "Skin science"), "--name: Lumi Skincare already has a pillar named"),
    ],
)
def test_pillars_add_refuses_bad_input(cli, extra, names) -> None:  # type: ignore[no-untyped-def]
    assert cli("pillars", "add", "--brand", "lumi", "--name", "Skin science", "--share", "40")[0] == 0
    args = {"--brand": "lumi", "--name": "Offers"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    _refused(cli, "pillars", "add", *[x for kv in args.items() for x in kv], names=names)


def test_segments_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "segments", "add", "--brand", "lumi", "--name", "Students", "--market", "sg", "my",
        "--platform", "instagram", "--platform", "tiktok",
    )  # fmt: skip
    assert (code, out) == (0, "added segment 'Students' (lumi)\n"), err
    code, out, _ = cli("segments")
    header, row = _rows(out)
    assert header[:4] == ["NAME", "BRAND", "MARKETS", "PLATFORMS"] and row[:4] == [
        "Students",
        "lumi",
        "sg,my",
        "instagram,tiktok",
    ]
    (row,) = json.loads(cli("segments", "list", "--json")[1])
    assert (row["markets"], row["platforms"]) == (["sg", "my"], ["instagram", "tiktok"])


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (("--brand", "nope"), "--brand: no brand 'nope'"),
        (("--market", "th"), "--market: markets: no market 'th'"),
        (("--platform", "myspace"), "--platform: platforms 'myspace' is not one of"),
        (("--name", "Students"), "--name: Lumi Skincare already has a segment named"),
    ],
)
def test_segments_add_refuses_bad_input(cli, extra, names) -> None:  # type: ignore[no-untyped-def]
    assert cli("segments", "add", "--brand", "lumi", "--name", "Students")[0] == 0
    args = {"--brand": "lumi", "--name": "Parents"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    _refused(cli, "segments", "add", *[x for kv in args.items() for x in kv], names=names)


def test_campaigns_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("objectives", "add", "--brand", "lumi", "--name", "Be known", "--kind", "awareness")[0] == 0
    assert cli("pillars", "add", "--brand", "lumi", "--name", "Skin science")[0] == 0
    assert cli("pillars", "add", "--brand", "lumi", "--name", "Routines")[0] == 0
    code, out, err = cli(
        "campaigns", "add", "spring-glow", "--brand", "lumi", "--name", "Spring glow", "--from", "2027-03-01",
        "--to", "2027-04-30", "--objective", "Be known", "--budget", "12500", "--pillar", "Skin science",
        "Routines", "--market", "sg", "--channel", "lumi-instagram", "--utm", "spring_glow_27",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "added campaign spring-glow (Spring glow, 2027-03-01 to 2027-04-30, budget 12500.00 SGD,"
        " utm_campaign spring_glow_27)\n"
    )
    code, out, err = cli(
        "campaigns",
        "add",
        "teh-raya",
        "--brand",
        "teh",
        "--name",
        "Raya",
        "--from",
        "2027-03-20",
        "--to",
        "2027-04-10",
    )
    assert code == 0 and "utm_campaign teh-raya" in out and "budget" not in out, err
    code, out, _ = cli("campaigns", "list")
    header, *rows = _rows(out)
    assert header[:3] == ["SLUG", "BRAND", "NAME"] and [r[0] for r in rows] == ["spring-glow", "teh-raya"]
    (row,) = json.loads(cli("campaigns", "list", "--brand", "lumi", "--json")[1])
    assert (row["slug"], row["objective_name"], row["budget"], row["currency"]) == (
        "spring-glow",
        "Be known",
        "12500.00",
        "SGD",
    )
    assert (row["pillar_names"], row["markets"], row["channel_names"]) == (
        ["Routines", "Skin science"],
        ["sg"],
        ["Instagram @lumiskin"],
    )
    assert json.loads(cli("campaigns", "--brand", "teh", "--json")[1])[0]["currency"] == "MYR"


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (("--brand", "nope"), "--brand: no brand 'nope'"),
        (
            ("--from", "2027-05-01", "--to", "2027-04-30"),
            "--to: end_date 2027-04-30 is before the start 2027-05-01",
        ),
        (("--from", "1 May"), "--from: start_date '1 May' is not a date"),
        (("--budget", "-10"), "--budget: budget '-10' must be at least 0"),
        (("--budget", "plenty"), "--budget: budget 'plenty' is not a number"),
        (("--currency", "dollar"), "--currency: currency 'DOLLAR' must be 3 letters"),
        (("--objective", "World domination"), "--objective: objective 'World domination' is not one of"),
        (("--pillar", "Memes"), "--pillar: pillar 'Memes' is not one of"),
        (("--market", "th"), "--market: markets: no market 'th'"),
        (("--channel", "teh-instagram"), "--channel: channel 'teh-instagram' is not one of Lumi Skincare's"),
        (("--utm", "Summer Sale"), "--utm: utm_campaign 'Summer Sale' must be lowercase"),
        (("--status", "paused"), "--status: status 'paused' is not one of"),
    ],
)
def test_campaigns_add_refuses_bad_input(cli, extra, names) -> None:  # type: ignore[no-untyped-def]
    args = {"--brand": "lumi", "--name": "Summer", "--from": "2027-06-01", "--to": "2027-08-31"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    _refused(cli, "campaigns", "add", "summer", *[x for kv in args.items() for x in kv], names=names)


def test_campaigns_add_refuses_a_duplicate_or_bad_slug(cli) -> None:  # type: ignore[no-untyped-def]
    dates = ("--brand", "lumi", "--name", "S", "--from", "2027-06-01", "--to", "2027-06-30")
    assert cli("campaigns", "add", "summer", *dates)[0] == 0
    _refused(
        cli,
        "campaigns",
        "add",
        "summer",
        *dates,
        names="SLUG: slug 'summer': Lumi Skincare has a campaign 'summer' already",
    )
    _refused(cli, "campaigns", "add", "Summer Sale!", *dates, names="SLUG: slug 'summer sale!' must be")
    # Another brand may use the same slug.
    assert (
        cli(
            "campaigns",
            "add",
            "summer",
            "--brand",
            "teh",
            "--name",
            "S",
            "--from",
            "2027-06-01",
            "--to",
            "2027-06-30",
        )[0]
        == 0
    )


def test_targets_add_every_kind_of_period_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    for period in ("2027-Q1", "2027-03", "2027-W05", "2027"):
        code, out, err = cli(
            "targets", "add", "--brand", "lumi", "--metric", "reach", "--period", period, "--value", "5000"
        )
        assert (code, out) == (0, f"added target reach {period} = 5000 for lumi\n"), err
    code, out, err = cli(
        "targets",
        "add",
        "--brand",
        "lumi",
        "--metric",
        "reach",
        "--period",
        "2027-q1",
        "--value",
        "900",
        "--channel",
        "lumi-instagram",
    )
    assert code == 0 and out.endswith("on lumi-instagram\n"), err
    rows = json.loads(cli("targets", "list", "--json")[1])
    periods = [
        (r["period"], r["period_kind"], r["period_start"], r["period_end"], r["channel"]) for r in rows
    ]
    assert periods == [
        ("2027-Q1", "quarter", "2027-01-01", "2027-03-31", ""),
        ("2027-Q1", "quarter", "2027-01-01", "2027-03-31", "lumi-instagram"),
        ("2027", "year", "2027-01-01", "2027-12-31", ""),
        ("2027-W05", "week", "2027-02-01", "2027-02-07", ""),
        ("2027-03", "month", "2027-03-01", "2027-03-31", ""),
    ]
    code, out, _ = cli("targets", "--brand", "lumi")
    header, first, *_ = _rows(out)
    assert header[:4] == ["METRIC", "BRAND", "CHANNEL", "PERIOD"] and first[0] == "reach"
    assert cli("targets", "list", "--brand", "teh", "--json")[1].strip() == "[]"


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (("--brand", "nope"), "no brand 'nope'"),
        (("--metric", "likes"), "--metric: metric 'likes' is not in the metrics dictionary"),
        (("--period", "2027-Q5"), "--period: period '2027-Q5' must look like 2027-Q1"),
        (("--period", "Q1 2027"), "--period: period 'Q1 2027' must look like"),
        (("--period", "2027-13"), "--period: period '2027-13' names no such month or week"),
        (("--period", "2027-W53"), "--period: period '2027-W53' names no such month or week"),
        (("--value", "many"), "--value: target 'many' is not a number"),
        (("--channel", "nope-x"), "no channel 'nope-x'"),
        (("--channel", "teh-instagram"), "--channel: channel"),
        (
            ("--period", "2027-Q2"),
            "--period: there is a target for reach in the quarter from 01 Apr 2027 already",
        ),
    ],
)
def test_targets_add_refuses_bad_input(cli, extra, names) -> None:  # type: ignore[no-untyped-def]
    assert (
        cli("targets", "add", "--brand", "lumi", "--metric", "reach", "--period", "2027-Q2", "--value", "1")[
            0
        ]
        == 0
    )
    args = {"--brand": "lumi", "--metric": "reach", "--period": "2027-Q3", "--value": "100"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    _refused(cli, "targets", "add", *[x for kv in args.items() for x in kv], names=names)
