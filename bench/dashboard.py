"""`make bench`, part two: the programme with a ledger of 1,000,000 rows.

Fills a MariaDB database (awsomeshop_bench_dashboard) with 1,000 employees, 20 HR givers and a
million ledger rows spread over the last 24 months (awards, redemptions, refunds, reversals, with
the balances kept equal to the ledger). Then times: building every account's lots from that
history (`points_lots_rebuild`, as switching expiry on for a running programme does), the daily
expiry job with a 12-month rule on the day a month's lots lapse and once more the same day (it
must find nothing), and the dashboard's figures (the selector: its SQL aggregates) and the whole
page as HR gets it (the view, rendered), for 12 and for 24 months. Prints a table and writes
bench/results/dashboard.json.
"""

import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DASHBOARD_DB", "awsomeshop_bench_dashboard")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DASHBOARD_DATABASE_URL", f"mysql://root@127.0.0.1:3306/{DB_NAME}")
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(30))
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The ledger check over a million rows is a long job, as in its scheduled task (which sets 600 s);
# a request's 4 s read timeout would cut it off.
os.environ.setdefault("DB_READ_TIMEOUT", "600")

import django  # noqa: E402

django.setup()


from django.db import connection  # noqa: E402

from bench.db import database_reset  # noqa: E402

ROWS = int(os.environ.get("BENCH_DASHBOARD_ROWS", "1000000"))
EMPLOYEES, GIVERS, MONTHS = 1_000, 20, 24
RUNS = int(os.environ.get("BENCH_DASHBOARD_RUNS", "5"))
RESULTS = ROOT / "bench" / "results"


def ledger_fill() -> None:
    """Rows written straight to the tables (a benchmark's data, not a business operation): per
    employee, awards and redemptions over the months, some refunded, a few awards reversed, and
    each balance set to its ledger's sums afterwards, so check_points_ledger holds."""
    from accounts.models import User
    from points.models import UserPoints

    employees = User.objects.bulk_create([User(email=f"e{i}@bench.example") for i in range(EMPLOYEES)])
    givers = User.objects.bulk_create([User(email=f"hr{i}@bench.example", is_staff=True) for i in range(GIVERS)])
    UserPoints.objects.bulk_create([UserPoints(user=u) for u in employees])
    now = time.time()
    per_employee = max(ROWS // EMPLOYEES, 1)
    # Half awards, 40 % redemptions, 9 % refunds, 1 % corrections: a programme's usual mix.
    kinds = ["earned"] * 50 + ["redeemed"] * 40 + ["refunded"] * 9 + ["reversed"]
    with connection.cursor() as cursor:
        batch, last_award = [], {}
        for i in range(ROWS):
            # Each employee in turn; each goes through the mix (awards first) over their rows, in
            # the order of time, so their history never spends points before they came in.
            step = i // EMPLOYEES
            kind = kinds[step % len(kinds)]
            user = employees[i % EMPLOYEES].pk
            seconds_ago = (per_employee - step) * (MONTHS * 30 * 86400) // per_employee - i % EMPLOYEES
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - seconds_ago))
            row_id = f"d{i:010d}"
            giver = givers[i % GIVERS].pk if kind in ("earned", "reversed") else None
            reverses = last_award.get(user) if kind == "reversed" else None
            if kind == "reversed" and reverses is None:
                kind, giver = "earned", givers[i % GIVERS].pk
            amount = {"earned": 100, "redeemed": 40, "refunded": 40, "reversed": 10}[kind]
            if kind == "earned":
                last_award[user] = row_id
            batch.append((row_id, user, kind, amount, "Bench", when, giver, reverses))
            if len(batch) == 20_000:
                _insert(cursor, batch)
                batch = []
        _insert(cursor, batch)
        # Refunds and redemptions carry no order here; the balances follow the ledger's sums.
        cursor.execute(
            "UPDATE user_points u JOIN (SELECT user_id,"
            " SUM(CASE transaction_type WHEN 'earned' THEN points_amount WHEN 'reversed' THEN -points_amount ELSE 0 END) e,"
            " SUM(CASE transaction_type WHEN 'redeemed' THEN points_amount WHEN 'refunded' THEN -points_amount ELSE 0 END) r"
            " FROM points_transactions GROUP BY user_id) t ON t.user_id = u.user_id"
            " SET u.total_earned = t.e, u.total_redeemed = t.r, u.current_points = t.e - t.r"
        )
        cursor.execute("ANALYZE TABLE points_transactions, user_points")
        cursor.fetchall()


def _insert(cursor, rows) -> None:
    if rows:
        cursor.executemany(
            "INSERT INTO points_transactions (transaction_id, user_id, transaction_type, points_amount,"
            " description, created_at, awarded_by_id, reverses_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def lots_and_expiry() -> dict:
    """The lots built from the whole history (every account, oldest row first), then the expiry
    job on the day the oldest month's lots lapse under a 12-month rule, and again that day."""
    from datetime import date

    from django.test import override_settings
    from django.utils import timezone

    from points.expiry import month_add, points_expire
    from points.models import PointsExpiryRuleSeen, PointsLot, UserPoints
    from points.services import points_lots_rebuild

    rows = []
    started = time.perf_counter()
    user_ids = list(UserPoints.objects.order_by("pk").values_list("pk", flat=True))
    for user_id in user_ids:
        points_lots_rebuild(user_id=user_id)
    rows.append(
        {
            "what": "lots built from history (points_lots_rebuild, every account)",
            "seconds": round(time.perf_counter() - started, 1),
            "detail": f"{PointsLot.objects.count():,} lots, {len(user_ids):,} accounts",
        }
    )
    # A rule the programme has run under for years: its notice for a new rule is long over.
    PointsExpiryRuleSeen.objects.update_or_create(
        pk=1, defaults={"months": 12, "starts": date(2000, 1, 1), "seen_on": date(2000, 1, 1)}
    )
    # Redemptions spend the oldest lots first: the first month with points left is the one to lapse.
    oldest = (
        PointsLot.objects.filter(is_open=True).order_by("credited_at").values_list("credited_at", flat=True).first()
    )
    oldest_month = timezone.localtime(oldest).date().replace(day=1)
    day = month_add(oldest_month, 13)  # the first day after that month's lots' last day
    with override_settings(POINTS_EXPIRY_MONTHS=12, POINTS_EXPIRY_STARTS=date(2000, 1, 1)):
        for what in ("expiry job, the day a month's lots lapse", "expiry job again the same day"):
            started = time.perf_counter()
            run = points_expire(today=day)
            rows.append(
                {
                    "what": f"{what} ({day:%Y-%m-%d})",
                    "seconds": round(time.perf_counter() - started, 2),
                    "detail": f"{run.lots:,} lots, {run.points:,} points, {run.accounts:,} accounts",
                }
            )
    return {"lots": rows}


def timed(call) -> dict:
    call()  # warm: the first run reads the index from disk
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def main() -> None:
    from datetime import timedelta

    from django.contrib import admin
    from django.test import RequestFactory
    from django.utils import timezone

    from accounts.models import User
    from points.models import PointsTransaction
    from programme.dashboard import programme_dashboard_view
    from programme.selectors import programme_figures

    print(f"Dashboard bench: filling {ROWS:,} ledger rows…", flush=True)
    started = time.perf_counter()
    database_reset()
    ledger_fill()
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    rows = PointsTransaction.objects.count()
    results_lots = lots_and_expiry()
    superuser = User.objects.create(email="root@bench.example", is_staff=True, is_superuser=True)
    today = timezone.localdate()
    results = {"ledger_rows": rows, "runs": RUNS, "figures": [], **results_lots}
    for months in (12, 24):
        start = (today - timedelta(days=30 * (months - 1))).replace(day=1)

        def figures(start=start):
            return programme_figures(start=start, end=today)

        def page(start=start):
            request = RequestFactory().get("/admin/programme/", {"start": start.isoformat(), "end": today.isoformat()})
            request.user = superuser
            request.session = {}
            response = programme_dashboard_view(request, admin.site)
            response.render()
            if response.status_code != 200:
                raise RuntimeError(f"The dashboard answered {response.status_code}.")

        results["figures"].append({"what": f"figures, {months} months", **timed(figures)})
        results["figures"].append({"what": f"page rendered, {months} months", **timed(page)})
    with connection.cursor() as cursor:
        start = today.replace(day=1)
        cursor.execute(
            "EXPLAIN SELECT transaction_type, SUM(points_amount) FROM points_transactions"
            " WHERE created_at >= %s GROUP BY transaction_type",
            [start.isoformat()],
        )
        results["explain_month"] = [list(map(str, row)) for row in cursor.fetchall()]
    from programme.selectors import ledger_problem_list

    # The bench's redemptions and refunds have no orders (the order checks would list them all);
    # the balances and the corrections must agree with the ledger.
    started = time.perf_counter()
    problems = ledger_problem_list()
    results["lots"].append(
        {
            "what": "check_points_ledger, every account's lots replayed",
            "seconds": round(time.perf_counter() - started, 1),
            "detail": f"{len([p for p in problems if p.kind == 'lot' or 'lots' in p.detail]):,} lot problems",
        }
    )
    results["ledger_problems"] = len([p for p in problems if p.kind == "user" or "revers" in p.detail])
    results["lot_problems"] = len([p for p in problems if p.kind == "lot" or "lots" in p.detail])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(results, indent=2))
    print(f"\nProgramme dashboard, {rows:,} ledger rows (median and max of {RUNS} runs):")
    print(f"{'what':32} {'median ms':>10} {'max ms':>8}")
    for row in results["figures"]:
        print(f"{row['what']:32} {row['median_ms']:>10} {row['max_ms']:>8}")
    print(f"balance and correction problems: {results['ledger_problems']}; lot problems: {results['lot_problems']}")
    print(f"\nLots and expiry over {rows:,} ledger rows:")
    for row in results["lots"]:
        print(f"  {row['what']:58} {row['seconds']:>8} s  {row['detail']}")
    print("EXPLAIN (one month's sums):", results["explain_month"])


if __name__ == "__main__":
    main()
