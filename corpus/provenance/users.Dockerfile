FROM debian:bookworm
RUN useradd --system --no-create-home app && mkdir -p /var/lib/app && chown app /var/lib/app && chmod 750 /var/lib/app
