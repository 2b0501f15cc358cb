#!/usr/bin/env bash
# Run on the build machine: puts what the one-shot device check needs into .gpu-carry/ (ignored
# by git): the jars, the tests' jars, JUnit's standalone console launcher and a jlink'ed JDK 25
# runtime, as one tarball of at most 60 MiB. The GPU machine has no Maven, no network and
# probably no JDK. Then, there: bash bench/gpu-check.sh OUT
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source <(sed -n '/^java_major()/,/^}/p;/^pick_jdk()/,/^}/p' isthmus)
JAVA_HOME="$(pick_jdk)"
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
junit_platform=1.14.1

mvn -B -q -DskipTests install
stage="$root/.gpu-carry/stage"
rm -rf "$root/.gpu-carry"
mkdir -p "$stage/lib"
cp native-bindings/target/isthmus-native-bindings.jar native-bindings/target/isthmus-native-bindings-tests.jar \
   kernels/target/isthmus-kernels-*.jar nn/target/isthmus-nn-*.jar bench/target/benchmarks.jar "$stage/lib/"
mvn -B -q dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$stage/lib"
mvn -B -q -pl nn dependency:copy-dependencies -DincludeScope=runtime -DexcludeGroupIds=dev.isthmus \
    -DoutputDirectory="$stage/lib"
# JUnit's console launcher does not scan jars for classes, so the test classes are listed here.
for m in native-bindings nn; do
  (cd "$m/target/test-classes" && find . -name '*Test.class' ! -name '*$*' | sed 's|^\./||; s|\.class$||; s|/|.|g')
done > "$stage/lib/test-classes.txt"
jlink --add-modules java.base,java.desktop,java.logging,java.xml,java.management,jdk.incubator.vector,jdk.unsupported \
      --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$stage/runtime"
tar -C "$stage" -czf "$root/.gpu-carry/isthmus-gpu-carry.tar.gz" lib runtime
rm -rf "$stage"
size=$(stat -c %s "$root/.gpu-carry/isthmus-gpu-carry.tar.gz")
echo "gpu-pack: .gpu-carry/isthmus-gpu-carry.tar.gz, $((size / 1024 / 1024)) MiB"
if [ "$size" -gt $((60 * 1024 * 1024)) ]; then
  echo "gpu-pack: over the 60 MiB carry limit" >&2
  exit 1
fi
