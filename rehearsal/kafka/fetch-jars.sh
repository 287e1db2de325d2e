#!/usr/bin/env bash
# Fetches the Kafka harness's jars (broker, MirrorMaker 2, logging binding) from Maven Central into
# rehearsal/kafka/jars/<version>/, one folder per Kafka line listed in versions.json. `npm run kafka:jars`.
#
# Idempotent: a folder whose marker matches the pom and the version is left alone, so a second run downloads
# nothing and takes about a second. Maven's local repository (~/.m2) caches what a fresh machine downloads once.
# KAFKA_JARS_VERSIONS="3.9.2" restricts the run to some versions (space-separated).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if ! command -v mvn >/dev/null; then echo "fetch-jars: Maven (mvn) is required: apt-get install maven" >&2; exit 1; fi
if ! command -v java >/dev/null; then echo "fetch-jars: a JDK 17 is required: apt-get install openjdk-17-jdk-headless" >&2; exit 1; fi

# "<version> <profile>" lines from versions.json (node is there: this runs from npm).
mapfile -t entries < <(node -e '
  const { versions } = require(process.argv[1]);
  for (const v of versions) console.log(`${v.version} ${v.profile}`);
' "$here/versions.json")
wanted="${KAFKA_JARS_VERSIONS:-}"
pom_hash="$(sha256sum pom.xml | cut -c1-16)"

for entry in "${entries[@]}"; do
  version="${entry%% *}"
  profile="${entry##* }"
  if [ -n "$wanted" ] && [[ " $wanted " != *" $version "* ]]; then continue; fi
  dir="jars/$version"
  marker="$dir/.complete"
  expected="kafka=$version profile=$profile pom=$pom_hash"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$expected" ]; then
    echo "fetch-jars: Kafka $version already in $dir ($(find "$dir" -name '*.jar' | wc -l) jars), nothing to do"
    continue
  fi
  started=$(date +%s)
  echo "fetch-jars: Kafka $version ($profile) → $dir ..."
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  mvn -q -B -ntp -Dstyle.color=never -P "$profile" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir.tmp"
  # Each line's classpath must hold exactly one slf4j binding, else the broker logs nothing useful.
  case "$profile" in
    kafka-3) test -n "$(find "$dir.tmp" -name 'slf4j-reload4j-*.jar')" ;;
    kafka-4) test -n "$(find "$dir.tmp" -name 'log4j-slf4j2-impl-*.jar')" ;;
  esac
  test -n "$(find "$dir.tmp" -name "kafka_2.13-$version.jar")"
  test -n "$(find "$dir.tmp" -name "connect-mirror-$version.jar")"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  echo "$expected" > "$marker"
  echo "fetch-jars: Kafka $version done: $(find "$dir" -name '*.jar' | wc -l) jars, $(du -sh "$dir" | cut -f1), $(( $(date +%s) - started ))s"
done
