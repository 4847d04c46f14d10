#!/usr/bin/env bash
# Installs what Penumbra needs beyond Node.js on a Debian or Ubuntu machine: Java 17+ and Maven
# (to fetch and run Apache Kafka), redis-server and Chromium (the console's browser tests drive it
# through playwright-core). Installs only what is missing.
set -euo pipefail

missing=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then missing+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: Java $(java_major), Maven, redis-server and Chromium are present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: please install: ${missing[*]} (Java 17+, Maven, redis-server, Chromium)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "bootstrap: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
