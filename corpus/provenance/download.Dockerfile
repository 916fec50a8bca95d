FROM debian:bookworm
ARG SERVER
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /usr/local/bin/tool "$SERVER/tool" && chmod +x /usr/local/bin/tool
