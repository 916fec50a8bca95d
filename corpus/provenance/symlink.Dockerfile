FROM debian:bookworm
RUN ln -s /usr/bin/bash /usr/local/bin/shell
