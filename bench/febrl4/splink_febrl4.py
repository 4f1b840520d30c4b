"""Splink (DuckDB backend) on the same FEBRL4 files as `npm run eval:febrl4` (or on any directory of member, query
and truth files, e.g. the independent generator's from `bench/generator2/files.ts`): the reference figures.

Same fields (surname, given name, date of birth, state/province, postcode/ward), unsupervised training as Splink
documents it (u by random sampling, m by EM over two blocking rules, λ from deterministic rules), then for every
declaration the best-scoring member. The same decision rule as the adapter's shipped parameters: automatic match
when the pair's match probability is at least 0.99. Labels are used only to count.

Two profiles (`--blocking`):
- `febrl4` (default; the figures of FEBRL4 and of generator2 at 100k before the `vn` profile): names as written,
  blocking on given name alone, surname alone, date of birth, postcode; EM over date of birth and over
  given name + surname.
- `vn`, for Vietnamese HGD data: names folded (diacritics and đ removed, lower case) before comparing and blocking,
  since declarations come ASCII-only or in capitals; family name = first token, given name = last. Common family
  and given names make blocks on one name tens of thousands wide at 1M members (the `febrl4` rules ran out of
  memory there), so every rule combines a name with a date part or place, or a date with a place:
  family + given + birth year; given + birth year + province; date of birth + province; family + date of birth;
  family + given + province; given + birth month and day; birth year + ward; family + ward.
  EM over full date of birth + province and over family + given + ward. (Splink's EM blocks the two inputs stacked
  together and drops same-input pairs after the join, so an EM rule must also keep member-member blocks small: on
  the date alone, year-only HGD dates made 371M member pairs at 1M members and stalled the run at 5M.)

Figures printed: wrong auto-matches, auto precision, auto recall (of the declarations whose person is in the file),
top-1 recall, blocking recall (the true member among the pairs the prediction rules compare, counted from the
rules themselves), the true member among pairs predicted with p ≥ 0.001, seconds, and peak resident memory.

Usage: python bench/febrl4/splink_febrl4.py [dir] [min_probability] [--blocking febrl4|vn]
       [--memory-limit 8GB] [--temp-dir .tmp/duckdb]   (needs `pip install -r bench/febrl4/requirements.txt`)
"""

import argparse
import resource
import time

import duckdb
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

PROFILES = {
    "febrl4": {
        "fold": False,
        "rules": [["given_name"], ["surname"], ["dob"], ["postcode"]],
        "em": [["dob"], ["given_name", "surname"]],
    },
    "vn": {
        "fold": True,
        "rules": [
            ["surname", "given_name", "birth_year"],
            ["given_name", "birth_year", "state"],
            ["dob", "state"],
            ["surname", "dob"],
            ["surname", "given_name", "state"],
            ["given_name", "birth_md"],
            ["birth_year", "postcode"],
            ["surname", "postcode"],
        ],
        "em": [["dob_full", "state"], ["surname", "given_name", "postcode"]],
    },
}


def load(con, path, id_key, table, fold):
    name = "full_name"
    if fold:
        name = "lower(strip_accents(replace(replace(full_name, 'đ', 'd'), 'Đ', 'D')))"
    columns = f"{{{id_key}: 'VARCHAR', full_name: 'VARCHAR', dob: 'VARCHAR', province_code: 'VARCHAR', ward_code: 'VARCHAR'}}"
    con.execute(f"""
        create table {table} as
        with t as (
          select {id_key} as unique_id, string_split_regex(trim({name}), '\\s+') as tokens, dob,
                 province_code as state, ward_code as postcode
          from read_json('{path}', format = 'newline_delimited', columns = {columns}))
        select unique_id,
               case when len(tokens) > 1 then tokens[1] end as surname,
               nullif(tokens[len(tokens)], '') as given_name,
               dob,
               substr(dob, 1, 4) as birth_year,
               case when length(dob) = 10 then substr(dob, 6, 5) end as birth_md,
               case when length(dob) = 10 then dob end as dob_full,
               state, postcode
        from t""").fetchall()
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default="bench/out/febrl4")
    ap.add_argument("threshold", nargs="?", type=float, default=0.99)
    ap.add_argument("--blocking", choices=sorted(PROFILES), default="febrl4")
    ap.add_argument("--memory-limit", default="8GB")
    ap.add_argument("--temp-dir", default=".tmp/duckdb")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    profile = PROFILES[a.blocking]
    d = a.dir
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{a.memory_limit}'").fetchall()
    con.execute(f"set temp_directory = '{a.temp_dir}'").fetchall()
    con.execute(f"set threads = {a.threads}").fetchall()
    started = time.time()
    n_members = load(con, f"{d}/members.jsonl", "member_id", "hgd_in", profile["fold"])
    n = load(con, f"{d}/queries.jsonl", "query_id", "declarations_in", profile["fold"])
    con.execute(f"""
        create table truth as select query_id, member_id
        from read_json('{d}/truth.jsonl', format = 'newline_delimited',
                       columns = {{query_id: 'VARCHAR', member_id: 'VARCHAR'}})""").fetchall()
    present = con.execute("select count(*) from truth where member_id is not null").fetchall()[0][0]
    db = DuckDBAPI(connection=con)
    sa = db.register("hgd_in", dataset_display_name="hgd")
    sb = db.register("declarations_in", dataset_display_name="declarations")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("state"),
            cl.ExactMatch("postcode"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*r) for r in profile["rules"]],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([sa, sb], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for r in profile["em"]:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*r))
    pairs = linker.inference.predict(threshold_match_probability=0.001)
    secs = time.time() - started
    # Orient every pair as (declaration, member) and keep each declaration's best member.
    con.execute(f"""
        create table oriented as
        select case when source_dataset_l = 'hgd' then unique_id_r else unique_id_l end as query,
               case when source_dataset_l = 'hgd' then unique_id_l else unique_id_r end as member,
               match_probability
        from {pairs.physical_name}""").fetchall()
    con.execute("""
        create table best as
        select query, arg_max(member, match_probability) as member, max(match_probability) as p
        from oriented group by query""").fetchall()
    auto, correct, top1, wrong_absent = con.execute(f"""
        select count(*) filter (where b.p >= {a.threshold}),
               count(*) filter (where b.p >= {a.threshold} and t.member_id = b.member),
               count(*) filter (where t.member_id = b.member),
               count(*) filter (where b.p >= {a.threshold} and t.member_id is null)
        from best b join truth t on t.query_id = b.query""").fetchall()[0]
    anyc = con.execute("""
        select count(distinct o.query) from oriented o join truth t on t.query_id = o.query and t.member_id = o.member
        """).fetchall()[0][0]
    # Blocking recall: the true member is compared when any prediction rule's columns are equal (and not null).
    cond = " or ".join(
        "(" + " and ".join(f"q.{c} = m.{c}" for c in r) + ")" for r in profile["rules"]
    )
    blocked = con.execute(f"""
        select count(*) filter (where coalesce({cond}, false))
        from truth t join declarations_in q on q.unique_id = t.query_id join hgd_in m on m.unique_id = t.member_id
        """).fetchall()[0][0]
    wrong = auto - correct
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"Splink {splink.__version__} (DuckDB {duckdb.__version__}), {d}: {n_members} members / {n} queries "
        f"({present} present), blocking {a.blocking}, auto at p >= {a.threshold}"
    )
    print(f"blocking rules                   {'; '.join(' + '.join(r) for r in profile['rules'])}")
    print(f"auto-matches                     {auto}")
    print(
        f"wrong auto-matches               {wrong} ({wrong / n * 10000:.2f} per 10k queries; "
        f"{wrong_absent} of people absent from the members)"
    )
    print(f"auto-match precision             {correct / max(auto, 1):.5f}")
    print(f"auto-match recall                {correct / max(present, 1):.4f} (of present; {correct / n:.4f} of all)")
    print(f"top-1 recall                     {top1 / max(present, 1):.4f}")
    print(f"blocking recall (true compared)  {blocked / max(present, 1):.4f} ({present - blocked} lost)")
    print(f"true member among pairs p>=0.001 {anyc / max(present, 1):.4f}")
    print(f"seconds (training + prediction)  {secs:.1f}")
    print(f"peak resident memory             {peak:.2f} GiB")


if __name__ == "__main__":
    main()
