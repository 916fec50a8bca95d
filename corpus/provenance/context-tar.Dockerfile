FROM debian:bookworm
COPY bundle.tar.gz /tmp/
RUN tar -xzf /tmp/bundle.tar.gz -C /opt && rm /tmp/bundle.tar.gz
