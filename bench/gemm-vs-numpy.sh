#!/usr/bin/env bash
# CPU SGEMM, Isthmus beside numpy: runs the JMH SgemmBenchmark (square C = A·B, float32) and numpy's
# matmul at the same sizes and thread count, then prints a markdown table of GFLOP/s.
#   bench/gemm-vs-numpy.sh [extra JMH options, e.g. -wi 1 -i 3]
# Environment: SIZES (default 256,512,1024,2048), THREADS (default: all processors).
# Needs bench/target/benchmarks.jar (built here if missing: mvn -pl bench -am package -DskipTests)
# and python3 with numpy. ./isthmus bench-gemm builds the jar, then runs this.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

# Find a JDK 25+ exactly as ./isthmus does: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
java_major() { # prints the major version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
  fi
}
pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ]; then
    local v; v="$(java_major "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return; fi
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"
    [ -L "$d" ] && continue
    v="$(java_major "$d")"
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "gemm-vs-numpy: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm)." >&2
    exit 2
  fi
  echo "$best"
}
JAVA_HOME="$(pick_jdk)"
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

sizes="${SIZES:-256,512,1024,2048}"
threads="${THREADS:-$(nproc)}"
jar="$here/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  echo "gemm-vs-numpy: building $jar" >&2
  mvn -B -q -f "$root/pom.xml" -DskipTests package -pl bench -am
fi
python3 -c 'import numpy' 2>/dev/null || { echo "gemm-vs-numpy: python3 with numpy is needed" >&2; exit 2; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== Isthmus: JMH SgemmBenchmark, sizes $sizes, $threads thread(s)"
java -jar "$jar" 'dev\.isthmus\.bench\.SgemmBenchmark\.sgemm' -p size="$sizes" -p threads="$threads" -p impl=auto \
  -rf csv -rff "$out/jmh.csv" "$@"

echo "== numpy: float32 matmul, sizes $sizes, $threads thread(s)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" \
  python3 "$here/numpy_gemm.py" --sizes "$sizes" | tee "$out/numpy.csv"

echo
python3 - "$out/jmh.csv" "$out/numpy.csv" "$threads" <<'PY'
import csv, sys
jmh_csv, numpy_csv, threads = sys.argv[1:]
ours = {}
with open(jmh_csv, newline="") as f:
    for row in csv.DictReader(f):
        n = int(row["Param: size"])
        scale = 2.0 * n ** 3 / 1e9  # score is products per second
        err = row["Score Error (99.9%)"]
        ours[n] = (float(row["Score"]) * scale, float(err) * scale if err not in ("", "NaN") else float("nan"))
theirs = {}
with open(numpy_csv) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            n, g = line.strip().split(",")
            theirs[int(n)] = float(g)
print(f"SGEMM C = A·B, float32, square, {threads} thread(s); GFLOP/s = 2·n³ / time")
print()
print("| size | Isthmus GFLOP/s | numpy GFLOP/s | ratio |")
print("|-----:|----------------:|--------------:|------:|")
for n in sorted(set(ours) | set(theirs)):
    o, e = ours.get(n, (float("nan"), float("nan")))
    t = theirs.get(n, float("nan"))
    print(f"| {n} | {o:.1f} ± {e:.1f} | {t:.1f} | {o / t:.2f}× |")
PY
