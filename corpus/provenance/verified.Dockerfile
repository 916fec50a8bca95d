FROM debian:bookworm
ARG SERVER
ARG TOOL_SHA256
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /usr/local/bin/tool "$SERVER/tool" \
 && echo "$TOOL_SHA256  /usr/local/bin/tool" | sha256sum -c - \
 && chmod +x /usr/local/bin/tool
