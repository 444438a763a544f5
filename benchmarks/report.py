"""The printed table and the target check, from the results dict (the same one written as JSON)."""

from __future__ import annotations

from typing import Any

NA = "n/a"

# Goals, not test assertions (see the README's Performance section).
MAX_OVERHEAD_VS_CCXT = 1 / 3
MAX_X_FLOOR = 1.15
MIN_DECODE_X_CCXT = 5.0
MAX_IMPORT_MS = 150.0
MAX_MEMORY_GROWTH = 1.5  # peak at the longest history over peak at the shortest
MIN_STREAM_X_CCXT = 3.0  # level2 frames/s, unified over ccxt.pro
MAX_STREAM_P99_US = 200.0
MAX_STREAM_MEMORY_GROWTH = 1.1  # last memory sample over the first, over the long feed


def _num(value: Any, fmt: str = "{:,.0f}", suffix: str = "") -> str:
    if value is None:
        return NA
    return fmt.format(value) + suffix


def _x(value: Any) -> str:
    return _num(value, "{:.2f}", "x")


def _median(entry: Any) -> Any:
    return entry["median_us"] if entry else None


def call_rows(label: str, r: dict[str, Any]) -> list[list[str]]:
    over = r["overhead_us"]
    rows = [[label, "us/call", _num(_median(r["floor"])), _num(_median(r["unified"])),
             _num(_median(r.get("ccxt"))) if "ccxt" in r else NA,
             f"unified {_x(r['unified_x_floor'])} floor, +{_num(over['unified'])} us"
             + (f"; ccxt {_x(r.get('ccxt_x_floor'))}, +{_num(over.get('ccxt'))} us; "
                f"overhead ratio {_num(r.get('overhead_unified_over_ccxt'), '{:.2f}')}"
                if "ccxt" in r else "")]]
    return rows


def table(results: dict[str, Any]) -> str:
    s = results["scenarios"]
    rows: list[list[str]] = [["scenario", "unit", "floor", "unified", "ccxt", "notes"]]
    k = s["kucoin_calls"]
    rows += call_rows("1 kucoin fetch_ticker", k["fetch_ticker"])
    rows += call_rows("2 kucoin fetch_order (signed)", k["fetch_order"])
    w = s["walk"]
    rows.append([f"3 walk {w['orders']:,} closed orders", "ms/walk",
                 _num(w["walk"]["floor"]["median_ms"], "{:,.1f}"),
                 _num(w["walk"]["unified"]["median_ms"], "{:,.1f}"), NA,
                 f"{w['requests']} requests; unified {_x(w['walk_unified_x_floor'])} floor; "
                 f"{_num(w['walk']['unified']['per_page_us'])} us/page"])
    p = w["page"]
    rows += call_rows(f"3 one page of {w['page_size']}", p)
    d = s["decode"]
    rows.append([f"4 decode {d['orders']:,} orders", "orders/s",
                 _num(d["orders_per_s"]["floor"]), _num(d["orders_per_s"]["unified"]),
                 _num(d["orders_per_s"]["ccxt"]),
                 f"from bytes: unified {_x(d['unified_over_ccxt'])} ccxt"])
    rows.append(["4 decoder only (parsed input)", "orders/s", "-",
                 _num(d["orders_per_s"]["unified_decoder_only"]),
                 _num(d["orders_per_s"]["ccxt_decoder_only"]),
                 f"unified {_x(d['unified_over_ccxt_decoder_only'])} ccxt; "
                 f"{_num(d['us_per_order']['unified_decoder_only'], '{:.1f}')} vs "
                 f"{_num(d['us_per_order']['ccxt_decoder_only'], '{:.1f}')} us/order"])
    i = s["imports"]
    rows.append(["5 import", "ms", "-", _num((i["unified"] or {}).get("median_ms"), "{:.0f}"),
                 _num((i["ccxt"] or {}).get("median_ms"), "{:.0f}"),
                 f"first connect('kucoin') adds "
                 f"{_num(_connect_extra(i), '{:.0f}')} ms; median of {i['runs']}"])
    m = s["memory"]
    peaks = ", ".join(f"{r['orders']:,}: {r['peak_kib']:,.0f} KiB" for r in m["walks"])
    rows.append(["6 peak memory, walk", "KiB", "-", _num(m["walks"][-1]["peak_kib"]), NA,
                 f"{peaks} (growth {_x(m['peak_growth'])})"])
    for venue, v in s["other_venues"].items():
        rows += call_rows(f"7 {venue} fetch_ticker", v["fetch_ticker"])
        rows += call_rows(f"7 {venue} fetch_order (signed)", v["fetch_order"])
    for venue, v in [("kucoin", k), *s["other_venues"].items()]:
        rows += order_rows(venue, v)
    if "streams" in s:  # results written before scenario 9 existed have none
        rows += stream_rows(s["streams"])
    if "ws_orders" in s:
        rows += ws_order_rows(s["ws_orders"])
    return _render(rows)


def ws_order_rows(w: dict[str, Any]) -> list[list[str]]:
    """Scenario 10: KuCoin orders over the WebSocket order API vs REST (warm connections)."""
    rows = []
    for op in ("create", "cancel"):
        ws, rest = w[f"ws_{op}"], w[f"rest_{op}"]
        rows.append([f"10 kucoin {op} over WS vs REST", "us/call", "-", _num(ws["median_us"]),
                     NA, f"REST {_num(rest['median_us'])} us; p99 WS {_num(ws['p99_us'])}, "
                     f"REST {_num(rest['p99_us'])} us"])
    per_s = w["orders_per_s"]
    rows.append([f"10 kucoin {w['in_flight']} creates in flight", "orders/s", "-",
                 _num(per_s["ws"]), NA, f"WS; REST {_num(per_s['rest'])} orders/s"])
    return rows


def _agree(problems: list[str] | None) -> str:
    if problems is None:
        return NA
    return "agrees" if not problems else f"{len(problems)} DISAGREEMENT(S): {problems[0]}"


def stream_rows(st: dict[str, Any]) -> list[list[str]]:
    """Scenario 9: the KuCoin level2 stream on the recorded-style feed."""
    t, per_s, us = st["throughput"], st["throughput"]["frames_per_s"], \
        st["throughput"]["us_per_frame"]
    n, lim = t["frames"], st["book_limit"]
    rows = [
        [f"9 level2 {n:,} frames, top-{lim} book", "frames/s", "-", _num(per_s["unified"]),
         _num(per_s["ccxt"]), f"unified {_x(t['unified_over_ccxt'])} ccxt.pro; "
         f"{_num(us['unified'], '{:.1f}')} vs {_num(us['ccxt'], '{:.1f}')} us/frame"],
        ["9 level2, whole book yielded", "frames/s", "-", _num(per_s["unified_whole_book"]),
         _num(per_s["ccxt"]), f"unified {_x(t['whole_book_over_ccxt'])} ccxt.pro "
         f"({st['feed']['depth']} levels a side)"],
        ["9 level2, deltas applied only", "frames/s", "-", _num(per_s["unified_apply_only"]),
         _num(per_s["ccxt"]), f"no book built: unified {_x(t['apply_only_over_ccxt'])} ccxt.pro"],
        [f"9 level2, top-{lim}, dialect + routing", "frames/s", "-",
         _num(per_s["unified_dispatched"]), _num(per_s["ccxt"]),
         f"the live receive path past the socket: unified {_x(t['dispatched_over_ccxt'])} "
         f"ccxt.pro"],
    ]
    lat, whole = st["latency"], st["latency_whole_book"]
    rows.append(["9 frame -> book latency", "us", "-", _num(lat["median_us"], "{:.1f}"), NA,
                 f"top-{lim}: median, p99 {_num(lat['p99_us'], '{:.1f}')}, max "
                 f"{_num(lat['max_us'], '{:.0f}')}; whole book: median "
                 f"{_num(whole['median_us'], '{:.1f}')}, p99 {_num(whole['p99_us'], '{:.1f}')}"])
    m = st["memory"]
    rows.append([f"9 memory over {m['frames']:,} frames", "KiB", "-", _num(m["last_kib"]), NA,
                 f"first sample {_num(m['first_kib'])}, last {_num(m['last_kib'])} "
                 f"(growth {_x(m['growth'])}, {m['growth_kib']:+,.0f} KiB); "
                 f"{len(m['samples_kib'])} samples"])
    j = st["json"]
    jp, ju = j["frames_per_s"], j["us_per_frame"]
    rows.append(["9 JSON decode of a frame", "frames/s", _num(jp["json_floats"]),
                 _num(jp["unified"]), _num(jp.get("orjson")),
                 f"stdlib+Decimal {_num(ju['stdlib_decimal'], '{:.2f}')} us, msgspec+Decimal "
                 f"{_num(ju['msgspec_decimal'], '{:.2f}')} us ({_x(j['msgspec_over_stdlib'])}); "
                 f"chosen: {j['chosen']}; floor = json.loads floats, ccxt = "
                 f"{st['ccxt_json_parser'] or 'its parser'}"])
    check = st["check"]
    rows.append(["9 final books vs the feed's model", "-", "-", _agree(st["agree"]["unified"]),
                 _agree(st["agree"]["ccxt"]), f"top {check['top']} at {check['checkpoints']} "
                 "checkpoints, whole book and sequence at the end"])
    return rows


def order_rows(venue: str, v: dict[str, Any]) -> list[list[str]]:
    """Scenario 8: a resting order's create and its cancel, with requests per call."""
    rows = []
    for op in ("create_order", "cancel_order"):
        r = v.get(op)
        if r is None:  # results written before scenario 8 existed
            continue
        rows.append([f"8 {venue} {op}", "us/call", "-", _num(_median(r["unified"])), NA,
                     f"{r['requests_per_call']:g} request(s) per call; "
                     f"p90 {_num(r['unified']['p90_us'])} us"])
    return rows


def _connect_extra(i: dict[str, Any]) -> float | None:
    if not i.get("unified") or not i.get("unified_connect"):
        return None
    return float(i["unified_connect"]["median_ms"] - i["unified"]["median_ms"])


def _render(rows: list[list[str]]) -> str:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]) - 1)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[c].rjust(widths[c]) for c in range(2, len(widths))]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal with its measured value; met is None where ccxt was not measured."""
    s = results["scenarios"]
    out: list[dict[str, Any]] = []

    def add(goal: str, value: Any, met: bool | None) -> None:
        out.append({"goal": goal, "value": value, "met": met})

    for op in ("fetch_ticker", "fetch_order"):
        r = s["kucoin_calls"][op]
        ratio = r.get("overhead_unified_over_ccxt")
        add(f"{op}: overhead <= 1/3 of ccxt's", ratio,
            None if ratio is None else ratio <= MAX_OVERHEAD_VS_CCXT)
        add(f"{op}: within {MAX_X_FLOOR}x of the floor", r["unified_x_floor"],
            r["unified_x_floor"] <= MAX_X_FLOOR)
    page = s["walk"]["page"]
    ratio = page.get("overhead_unified_over_ccxt")
    add("closed-orders page: overhead <= 1/3 of ccxt's", ratio,
        None if ratio is None else ratio <= MAX_OVERHEAD_VS_CCXT)
    d = s["decode"]
    for key, label in (("unified_over_ccxt", "from bytes"),
                       ("unified_over_ccxt_decoder_only", "decoder only")):
        add(f"decode ({label}) >= {MIN_DECODE_X_CCXT:g}x ccxt", d[key],
            None if d[key] is None else d[key] >= MIN_DECODE_X_CCXT)
    imp = (s["imports"]["unified"] or {}).get("median_ms")
    add(f"import unified < {MAX_IMPORT_MS:g} ms", imp, imp is not None and imp < MAX_IMPORT_MS)
    growth = s["memory"]["peak_growth"]
    add("walk memory flat in history length", growth,
        growth is not None and growth <= MAX_MEMORY_GROWTH)
    if "streams" in s:
        stream_targets(s["streams"], add)
    if "ws_orders" in s:
        ratio = s["ws_orders"]["create_rest_over_ws"]
        add("WS order round trip beats REST on a warm connection", ratio,
            ratio is not None and ratio > 1)
    return out


def stream_targets(st: dict[str, Any], add: Any) -> None:
    ratio = st["throughput"]["unified_over_ccxt"]
    add(f"level2 frames/s (top-{st['book_limit']} book) >= {MIN_STREAM_X_CCXT:g}x ccxt.pro's",
        ratio, None if ratio is None else ratio >= MIN_STREAM_X_CCXT)
    p99 = st["latency"]["p99_us"]
    add(f"frame -> book p99 < {MAX_STREAM_P99_US:g} us", p99, p99 < MAX_STREAM_P99_US)
    growth = st["memory"]["growth"]
    add("stream memory flat over the long feed", growth, growth <= MAX_STREAM_MEMORY_GROWTH)
    agree = st["agree"]
    add("final books agree with the feed's model", {k: len(v) if v is not None else None
                                                    for k, v in agree.items()},
        not agree["unified"] and not agree["ccxt"] if agree["ccxt"] is not None
        else not agree["unified"])


def targets_text(rows: list[dict[str, Any]]) -> str:
    marks = {True: "met", False: "MISSED", None: "n/a (no ccxt)"}
    return "\n".join(f"  {marks[r['met']]:<14} {r['goal']}: {r['value']}" for r in rows)


def machine_text(machine: dict[str, Any]) -> str:
    return (f"{machine['cpu']}, {machine['cores']} cores; {machine['python']}; {machine['os']}; "
            f"unified {machine['unified']}, aiohttp {machine['aiohttp']}, "
            f"msgspec {machine.get('msgspec', NA)}, "
            f"ccxt {machine['ccxt'] or 'not installed'}")
