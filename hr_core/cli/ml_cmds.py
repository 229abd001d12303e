"""CLI: train-match, model-versions, score-match, build-index, recommend, drift-report, fairness-report, feedback."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from hr_core.cli._common import emit, open_engine
from hr_core.errors import InvalidInputError


def _train(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.match import train_match_model

    emit(
        train_match_model(
            engine=open_engine(),
            actor=CLI_ACTOR,
            random_state=args.seed,
            promote=True if args.promote else None,
        ).as_dict()
    )


def _versions_list(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.versions import describe_versions

    emit(describe_versions(actor=CLI_ACTOR, offset=args.offset, limit=args.limit).as_dict())


def _versions_promote(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.versions import promote_version

    emit(promote_version(engine=open_engine(), actor=CLI_ACTOR, version=args.version).as_dict())


def _versions_restore(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.versions import restore_previous

    emit(restore_previous(engine=open_engine(), actor=CLI_ACTOR).as_dict())


def _versions_keep(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.versions import keep_current

    emit(keep_current(engine=open_engine(), actor=CLI_ACTOR, version=args.version).as_dict())


def _score(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.match import load_match_model, score_match, score_pairs_csv

    if args.pairs:
        if args.candidate or args.vaga or not args.out:
            raise InvalidInputError(
                "use either --candidate C --vaga V, or --pairs PAIRS.csv --out SCORES.csv"
            )
        model = load_match_model()
        emit(
            score_pairs_csv(
                engine=open_engine(),
                actor=CLI_ACTOR,
                model=model,
                pairs_path=Path(args.pairs),
                out_path=Path(args.out),
            )
        )
        return
    if not (args.candidate and args.vaga):
        raise InvalidInputError("give --candidate C and --vaga V (or --pairs PAIRS.csv --out SCORES.csv)")
    result = score_match(
        engine=open_engine(),
        actor=CLI_ACTOR,
        model=load_match_model(),
        candidate=args.candidate,
        vaga=args.vaga,
    )
    emit(result.as_dict())


def _build_index(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.vector_index import build_indexes

    shown: list[tuple[int, str]] = []

    def show(fraction: float, message: str) -> None:
        percent = int(100 * fraction)
        phase = message.split(" ", 1)[0]
        if shown and shown[-1] == (percent, phase):
            return  # one line per percent and step
        shown.append((percent, phase))
        print(f"[index] {percent:3d} % {message}", file=sys.stderr, flush=True)

    emit(
        build_indexes(
            engine=open_engine(), actor=CLI_ACTOR, full=args.full, progress=show if args.progress else None
        ).as_dict()
    )


def _recommend(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.recommend import RecommendFilters, recommend

    filters = RecommendFilters(city=args.city, level=args.level, english=args.english, pcd=args.pcd)
    emit(
        recommend(
            engine=open_engine(),
            actor=CLI_ACTOR,
            candidate=args.candidate,
            vaga=args.vaga,
            k=args.k,
            filters=filters,
            method=args.method,
        ).as_dict()
    )


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-01-31") from e


def _drift(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.drift import build_drift_report

    summary = build_drift_report(
        engine=open_engine(), actor=CLI_ACTOR, out=Path(args.out), since=args.since, limit=args.limit
    )
    emit(summary.as_cli())


def _fairness(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.fairness import run_fairness_report

    out = Path(args.out) if args.out else None
    report = run_fairness_report(engine=open_engine(), actor=CLI_ACTOR, out=out)
    emit(report.as_cli() | ({"out": str(out)} if out else {}))


def _feedback_add(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.feedback import record_feedback

    given = record_feedback(
        engine=open_engine(),
        actor=CLI_ACTOR,
        candidate=args.candidate,
        vaga=args.vaga,
        verdict=args.verdict,
        reason=args.reason,
        source="cli",
    )
    emit(given.as_dict())


def _feedback_list(args: argparse.Namespace) -> None:
    from hr_core.access import CLI_ACTOR
    from hr_core.ml.feedback import list_feedback

    found = list_feedback(
        engine=open_engine(),
        actor=CLI_ACTOR,
        candidate=args.candidate,
        vaga=args.vaga,
        verdict=args.verdict,
        latest_only=args.latest,
        limit=args.limit,
    )
    emit({"count": len(found), "feedback": [f.as_dict() for f in found]})


def register(sub: Any) -> None:
    p = sub.add_parser("train-match", help="train the match model on prospects with a final status")
    p.add_argument("--seed", type=int, default=0, help="random seed of the grouped split")
    p.add_argument(
        "--promote",
        action="store_true",
        help="serve the new version at once (by default only the first version is; later ones wait as candidates)",
    )
    p.set_defaults(handler=_train)

    p = sub.add_parser(
        "model-versions", help="match model versions in storage: list, promote, restore the previous"
    )
    vsub = p.add_subparsers(
        dest="versions_command", metavar="list|promote|restore-previous|keep-current", required=True,
        parser_class=type(p),
    )  # fmt: skip
    v = vsub.add_parser(
        "list",
        help="every version, newest first, with its metrics and fairness flags; the promoted, previous and candidate ones",
    )
    v.add_argument("--offset", type=int, default=0, help="skip this many versions (newest first)")
    v.add_argument("--limit", type=int, default=100, help="at most this many versions, 1 to 100")
    v.set_defaults(handler=_versions_list)
    v = vsub.add_parser(
        "promote", help="serve this version in every process (the current one becomes previous)"
    )
    v.add_argument("version", help="a version id from `model-versions list`")
    v.set_defaults(handler=_versions_promote)
    v = vsub.add_parser("restore-previous", help="serve the previously promoted version again")
    v.set_defaults(handler=_versions_restore)
    v = vsub.add_parser("keep-current", help="set a candidate version aside and keep the promoted one")
    v.add_argument("version", help="a version id from `model-versions list`")
    v.set_defaults(handler=_versions_keep)

    p = sub.add_parser(
        "score-match", help="match probability of a candidate for an opening (or a CSV of pairs)"
    )
    p.add_argument("--candidate", help="candidate code")
    p.add_argument("--vaga", help="opening code")
    p.add_argument("--pairs", help="CSV with columns candidate,vaga")
    p.add_argument("--out", help="CSV to write candidate,vaga,probability to (with --pairs)")
    p.set_defaults(handler=_score)

    p = sub.add_parser(
        "build-index", help="encode new or changed openings and candidates and rebuild the indexes"
    )
    p.add_argument("--full", action="store_true", help="re-encode every text, not only new or changed ones")
    p.add_argument("--progress", action="store_true", help="print progress lines on stderr")
    p.set_defaults(handler=_build_index)

    p = sub.add_parser("recommend", help="openings for a candidate, or candidates for an opening")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--candidate", help="candidate code: recommend openings")
    who.add_argument("--vaga", help="opening code: recommend candidates")
    p.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    p.add_argument("--city", help="only results in this city")
    p.add_argument("--level", help="only results of this professional level (e.g. Sênior)")
    p.add_argument("--english", help="only results with this English level (e.g. Avançado)")
    p.add_argument(
        "--pcd",
        action="store_true",
        help="eligibility filter: only PcD candidates / openings reserved for PcD",
    )
    p.add_argument(
        "--method",
        choices=("hybrid", "hybrid+rerank"),
        default="hybrid",
        help="hybrid: MiniLM and BM25 fused (default, best measured); hybrid+rerank: then ordered by the "
        "match model's probability",
    )
    p.set_defaults(handler=_recommend)

    p = sub.add_parser("drift-report", help="Evidently data-drift report: training data vs recent prospects")
    p.add_argument("--out", default="drift_report.html", help="HTML file to write")
    p.add_argument("--since", type=_parse_date, help="recent = applied on or after this date (YYYY-MM-DD)")
    p.add_argument("--limit", type=int, default=1000, help="recent = the latest N prospects (default 1000)")
    p.set_defaults(handler=_drift)

    p = sub.add_parser(
        "fairness-report",
        help="per protected group: selection rates, mean probability, TPR, four-fifths flags (no decisions)",
    )
    p.add_argument("--out", help="JSON file to write the full report to")
    p.set_defaults(handler=_fairness)

    p = sub.add_parser("feedback", help="recruiters' verdicts on suggested matches (they teach train-match)")
    fsub = p.add_subparsers(dest="feedback_command", metavar="add|list", required=True, parser_class=type(p))
    a = fsub.add_parser("add", help="mark a candidate for an opening as a good or a wrong match")
    a.add_argument("candidate", help="candidate code")
    a.add_argument("vaga", help="opening code")
    a.add_argument("verdict", metavar="good|wrong", help="good (a positive label) or wrong (a negative one)")
    a.add_argument("--reason", default="", help="why, in at most 1,000 characters (optional)")
    a.set_defaults(handler=_feedback_add)
    ls = fsub.add_parser("list", help="feedback newest first (or only the latest verdict per pair)")
    ls.add_argument("--candidate", help="only this candidate")
    ls.add_argument("--vaga", help="only this opening")
    ls.add_argument("--verdict", help="only good or only wrong")
    ls.add_argument("--latest", action="store_true", help="only the latest verdict on each pair")
    ls.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    ls.set_defaults(handler=_feedback_list)
