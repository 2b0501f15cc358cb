"""Vector API operations that C2 left as calls in Isthmus's kernels, from a HotSpot compilation log.

A Vector API operation is a call on the abstract FloatVector (IntVector, ...) that C2 inlines only
where the call site's type profile names the concrete class; where the profile is missing when a
kernel is compiled, the operation stays a call, boxes its vectors and runs the API's Java fallback
(much slower). This lists, for each C2 compilation of a dev.isthmus method, the Vector API calls it
did not inline and why, with the call site's profile count (-1: no profile).

Usage: run a JVM with
    -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=jit-%p.xml
(for the launcher: JAVA_TOOL_OPTIONS="..." ./isthmus train text), then
    python3 bench/jit_check.py jit-<pid>.xml
"""
import collections
import re
import sys

VECTOR = "jdk.incubator.vector."


def failures(path):
    found = collections.Counter()
    task = None
    methods, klasses = {}, {}
    call, count = None, None
    with open(path, errors="replace") as log:
        for line in log:
            if line.startswith("<task "):
                name = re.search(r"method='([^']*)'", line).group(1)
                # C2 tasks carry no level attribute; C1's say level='1'..'3'
                task = name if "level=" not in line and name.startswith("dev.isthmus") else None
                methods, klasses = {}, {}
                continue
            if task is None:
                continue
            if line.startswith("</task>"):
                task = None
            elif line.startswith("<klass "):
                klasses[re.search(r"id='(\d+)'", line).group(1)] = re.search(r"name='([^']*)'", line).group(1)
            elif line.startswith("<method "):
                ident = re.search(r"id='(\d+)'", line).group(1)
                holder = klasses.get(re.search(r"holder='(\d+)'", line).group(1), "?")
                methods[ident] = holder + "." + re.search(r"name='([^']*)'", line).group(1)
            elif line.startswith("<call "):
                call = methods.get(re.search(r"method='(\d+)'", line).group(1))
                count = re.search(r"count='(-?\d+)'", line)
            elif line.startswith("<inline_fail ") and call and call.startswith(VECTOR):
                reason = re.search(r"reason='([^']*)'", line).group(1)
                if reason in ("virtual call", "no static binding"):
                    where = task.split(" ")[0].rsplit(".", 1)[-1] + "." + task.split(" ")[1]
                    found[(where, call[len(VECTOR):], reason, count.group(1) if count else "?")] += 1
                call = None
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = failures(sys.argv[1])
    if not found:
        print("no Vector API call left un-inlined in a C2 compilation of a dev.isthmus method")
        return
    print("compiled method | Vector API call not inlined | reason | profile count | times")
    for (where, call, reason, count), times in sorted(found.items()):
        print(f"{where} | {call} | {reason} | {count} | {times}")


if __name__ == "__main__":
    main()
