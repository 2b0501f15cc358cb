#!/usr/bin/env bash
# The one-shot device check, run on a GPU machine from the repository root with .gpu-carry/
# (made by bench/gpu-pack.sh) beside it:  bash bench/gpu-check.sh OUT
# Writes into OUT: discovery.txt (which NVIDIA libraries loaded from where), gpu-tests.txt and
# junit/ (every GPU-tagged test, JUnit's console launcher), java-bench.txt / torch-bench.txt and
# their JSON, report.md / report.json (the issue's targets judged on this run), and the cuDNN
# headers of the Python packages (cudnn-headers/) to regenerate the bindings from.
# Budget: about 8 minutes; each stage has its own time limit.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: gpu-check.sh OUT}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
carry="$root/.gpu-carry"
if [ ! -x "$carry/runtime/bin/java" ]; then
  tar -C "$carry" -xzf "$carry/isthmus-gpu-carry.tar.gz"
fi
java="$carry/runtime/bin/java"
lib="$carry/lib"

python="$(command -v python3 || true)"
site=""
if [ -n "$python" ]; then
  site="$("$python" -c 'import site; print(":".join(site.getsitepackages()))' 2>/dev/null || true)"
fi
# NVIDIA's pip wheels: every nvidia/*/lib folder of the interpreter's site-packages, named
# explicitly (the loader would also find them from PATH; this does not depend on how python
# was put on the PATH).
folders=""
for s in ${site//:/ }; do
  for d in "$s"/nvidia/*/lib; do
    [ -d "$d" ] && folders="$folders:$d"
  done
done
jflags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "-Disthmus.cuda.path=${folders#:}")
{
  echo "python: ${python:-none}; site-packages: ${site:-none}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
} > "$out/machine.txt"

echo "== discovery" | tee "$out/discovery.txt"
timeout 60 "$java" "${jflags[@]}" -jar "$lib/isthmus-native-bindings.jar" >> "$out/discovery.txt" 2>&1
cat "$out/discovery.txt"

mkdir -p "$out/cudnn-headers"
for s in ${site//:/ }; do
  cp "$s"/nvidia/cudnn/include/*.h "$out/cudnn-headers/" 2>/dev/null || true
done

echo "== GPU-tagged tests"
cp_tests="$(ls "$lib"/*.jar | grep -v junit-platform-console | tr '\n' ':')"
selected=()
while read -r cls; do selected+=(--select-class "$cls"); done < "$lib/test-classes.txt"
timeout 240 "$java" "${jflags[@]}" -jar "$lib"/junit-platform-console-standalone-*.jar execute \
    --class-path "$cp_tests" "${selected[@]}" --include-tag gpu --details=tree --disable-banner \
    --reports-dir "$out/junit" > "$out/gpu-tests.txt" 2>&1
echo "exit status $?" >> "$out/gpu-tests.txt"
tail -25 "$out/gpu-tests.txt"

echo "== Java benchmarks"
timeout 150 "$java" "${jflags[@]}" -cp "$lib/benchmarks.jar" dev.isthmus.bench.GpuCheck "$out" > "$out/java-bench.txt" 2>&1
tail -20 "$out/java-bench.txt"

echo "== PyTorch, same workloads"
if [ -n "$python" ]; then
  timeout 150 "$python" "$root/bench/gpu_torch.py" "$out" > "$out/torch-bench.txt" 2>&1
  tail -5 "$out/torch-bench.txt"
  "$python" "$root/bench/gpu_report.py" "$out" > /dev/null 2>&1 || echo "report merge failed" >> "$out/report.md"
fi
echo "gpu-check: report in $out/report.md"
