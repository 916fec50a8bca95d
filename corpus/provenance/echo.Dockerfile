FROM debian:bookworm
RUN echo 'listen 8080' > /etc/app.conf && mkdir -p /srv/app && echo ok > /srv/app/health
