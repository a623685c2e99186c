"""Latency of CSR lookups against a running server (see docs/performance.md).

Usage: python3 tests/bench/search_latency.py TOKEN_FILE
Sends 110 sequential requests per case to 127.0.0.1:8080 (loopback only), drops the first 10,
and prints p50/p99 in milliseconds as Markdown table rows. The ids and values match the data
set of `crm-server seed --parties 1000000 --seed 42`. It measures the search table of
docs/performance.md; `crm-bench load` (tests/bench/run.sh) measures the load table.
"""
import subprocess, statistics, sys, urllib.parse
token = open(sys.argv[1] if len(sys.argv) > 1 else 'token').read().strip()
base = 'http://127.0.0.1:8080/tmf-api'
cases = [
  ("individual by name prefix (search.name=jose garc, limit=20)", base + "/party/v4/individual?search.name=" + urllib.parse.quote("jose garc") + "&limit=20"),
  ("individual by accented prefix (search.name=Müll)", base + "/party/v4/individual?search.name=" + urllib.parse.quote("Müll") + "&limit=20"),
  ("customer by phone through its party (search.phone=+44 7 100 500 123)", base + "/customerManagement/v4/customer?search.phone=" + urllib.parse.quote("+44 7 100 500 123")),
  ("customer by e-mail through its party", base + "/customerManagement/v4/customer?search.email=" + urllib.parse.quote("ana.rossimann500003@example.net")),
  ("customer by account id (search.accountId)", base + "/customerManagement/v4/customer?search.accountId=0000002a-0003-7000-8000-00000007a123"),
  ("customer by id", base + "/customerManagement/v4/customer/0000002a-0002-7000-8000-00000007a123"),
  ("customer 360 view", base + "/customerManagement/v4/customer/0000002a-0002-7000-8000-00000007a123/view"),
]
for name, url in cases:
    times = []
    body = ''
    for i in range(110):
        out = subprocess.run(['curl', '-s', '-o', '/tmp/crm-bench-body', '-w', '%{http_code} %{time_total}', '-H', 'Authorization: Bearer ' + token, url], capture_output=True, text=True).stdout.split()
        code, t = out[0], float(out[1])
        if i >= 10: times.append(t * 1000)
    body = open('/tmp/crm-bench-body').read()
    times.sort()
    p50 = statistics.median(times); p99 = times[int(len(times) * 0.99) - 1]
    print(f"| {name} | {code} | {p50:.1f} | {p99:.1f} | {len(body)} |")
