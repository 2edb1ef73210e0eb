"""A small Barrack client that survives most faults but not two 503s in a row on one listing.

It retries a connection error up to five times and a 429 at once (the profile's Retry-After is
0); a 503 it retries once. So it fails under exactly one combination: the first attempt of a
listing and its retry both answered 503.
"""

import os
import sys

import requests

BASE = os.environ["CLOUDTWIN_BARRACK_URL"]
HEADERS = {"X-API-Key": os.environ["CLOUDTWIN_BARRACK_TOKEN"]}
session = requests.Session()


def get(path: str) -> requests.Response:
    failures = {"connection": 0, 503: 0}
    while True:
        try:
            answer = session.get(BASE + path, headers=HEADERS, timeout=5)
        except requests.ConnectionError:
            failures["connection"] += 1
            if failures["connection"] > 5:
                raise
            continue
        if answer.status_code == 429:
            continue
        if answer.status_code == 503:
            failures[503] += 1
            if failures[503] > 1:
                sys.exit(f"two 503s in a row on {path}")
            continue
        answer.raise_for_status()
        return answer


for _ in range(5):
    get("/instances/")
    get("/gpu-stocks/")
    get("/ssh-keys/")
