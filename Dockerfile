# syntax=docker/dockerfile:1
# An AFL++ campaign box for XsFuzz. Every build step is one that scripts/setup.sh runs itself
# (no second recipe): afl++ from the distribution, the sharpfuzz dotnet tool, the plain and the
# instrumented publish.
#
#   docker build -t xsfuzz .
#   docker run --rm xsfuzz                      # one-core sanity campaign, 60 s
#   docker run --rm -v "$PWD/findings:/src/findings" xsfuzz scripts/fuzz.sh --time 1h
#   docker run --rm -v "$PWD/findings:/src/findings" xsfuzz scripts/replay.sh findings
#
# The .NET 10 SDK image is Ubuntu 24.04 (Microsoft ships no Debian image for .NET 10); its afl++
# package provides the same tools as Debian's.
FROM mcr.microsoft.com/dotnet/sdk:10.0

ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1

WORKDIR /src

# afl++ in its own layer, cached until setup.sh or its helpers change: setup.sh's own install step.
COPY scripts/setup.sh scripts/setup.sh
COPY scripts/lib/ scripts/lib/
RUN scripts/setup.sh --deps-only

# The sources, then the tool restore, the plain publish and the instrumented copy.
COPY . .
RUN scripts/setup.sh

CMD ["scripts/fuzz.sh", "--jobs", "1", "--time", "60s"]
