"""`make audit`: check the pinned requirements for known vulnerabilities with pip-audit.

Exit 0 only when every pinned package was looked up and none has a known vulnerability; 1 when some
have; 3 when the audit is incomplete (the advisory source could not be reached, or it does not know a
pinned version): an audit that checked nothing must not read as "no known vulnerabilities".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    requirements = argv[0] if argv else "requirements.txt"
    service = argv[1] if len(argv) > 1 else "pypi"
    cmd = [sys.executable, "-m", "pip_audit", "-r", requirements, "--no-deps", "--disable-pip",
           "--progress-spinner", "off", "--format", "json", "--vulnerability-service", service, "--timeout", "20"]  # fmt: skip
    print("running: pip-audit " + " ".join(cmd[3:]), flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        last = [line for line in proc.stderr.splitlines() if line.strip()][-1:] or ["(no output)"]
        print(f"AUDIT NOT DONE: pip-audit could not reach its advisory source ({service}): {last[0][:300]}",
              file=sys.stderr)  # fmt: skip
        return 3
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version"
            print(f"VULNERABLE: {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
    audited = len(deps) - len(skipped)
    print(f"{audited} of {len(deps)} pinned packages checked against the {service} advisory data, "
          f"{len(vulnerable)} with known vulnerabilities")  # fmt: skip
    if skipped:
        pins = dict(
            line.split("#")[0].strip().split("==", 1)
            for line in (ROOT / requirements).read_text().splitlines()
            if "==" in line.split("#")[0]
        )
        names = ", ".join(f"{d['name']} {pins.get(d['name'], '?')}" for d in skipped)
        print(f"AUDIT INCOMPLETE: the {service} advisory source could not be reached for, or does not know, "
              f"{len(skipped)} packages: {names}. Their vulnerabilities are unknown, not absent; run "
              f"`make audit` where https://pypi.org/pypi/NAME/VERSION/json answers.", file=sys.stderr)  # fmt: skip
    if vulnerable:
        return 1
    return 3 if skipped or not deps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
