FROM debian:bookworm
ARG SERVER
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL "$SERVER/install.sh" | sh
