# syntax=docker/dockerfile:1
# An XsFuzz box on Debian 12 (bookworm), the system the project targets: afl++ 4.04c, gcc and
# objdump for `xsfuzz real`'s sandbox, Debian's xenstore clients for `xsfuzz serve`, gnuplot for
# afl-plot. The only step of its own is the .NET 10 SDK, the README's premise; every other step is
# scripts/setup.sh, which CI runs too (scripts/test-install.sh simulates its install step as root).
#
#   docker build -t xsfuzz .
#   docker run --rm xsfuzz                      # one-core sanity campaign, 60 s
#   docker run --rm -v "$PWD/findings:/src/findings" xsfuzz scripts/fuzz.sh --time 1h
#   docker run --rm -v "$PWD/findings:/src/findings" xsfuzz scripts/replay.sh findings

# Microsoft ships the .NET 10 SDK image on Ubuntu only; its SDK folder is portable (glibc) and runs
# on Debian 12 with the libraries of Microsoft's runtime-deps list for Debian 12.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS dotnet-sdk

FROM debian:12

ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1 \
    DOTNET_ROOT=/usr/share/dotnet

# The SDK where the project's machines have it: /usr/share/dotnet, with /usr/bin/dotnet on PATH.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        ca-certificates libc6 libgcc-s1 libicu72 libssl3 libstdc++6 tzdata zlib1g
COPY --from=dotnet-sdk /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --version

WORKDIR /src

# The Debian packages in their own layer, cached until setup.sh or its helpers change.
COPY scripts/setup.sh scripts/setup.sh
COPY scripts/lib/ scripts/lib/
RUN scripts/setup.sh --deps-only

# The sources, then the tool restore, the plain publish and the instrumented copy.
COPY . .
RUN scripts/setup.sh

CMD ["scripts/fuzz.sh", "--jobs", "1", "--time", "60s"]
