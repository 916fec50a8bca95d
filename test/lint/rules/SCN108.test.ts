import { unpinnedImage } from '../../../src/lint/rules/scannable/unpinned-image.js';
import { ruleTester } from '../rule-tester.js';

const base = (ref: string, pin: string): string =>
  `Base image ${ref} is not pinned by digest, so it may be different bytes at each build: pin it as ${pin}@sha256:<digest>, or trust its registry (trustedRegistries in .scannable.yaml)`;
const copied = (ref: string, pin: string): string =>
  `COPY --from image ${ref} is not pinned by digest, so it may be different bytes at each build: pin it as ${pin}@sha256:<digest>, or trust its registry (trustedRegistries in .scannable.yaml)`;
const mounted = (ref: string, pin: string): string =>
  `RUN --mount image ${ref} is not pinned by digest, so it may be different bytes at each build: pin it as ${pin}@sha256:<digest>, or trust its registry (trustedRegistries in .scannable.yaml)`;
const DIGEST = 'sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d';

ruleTester(unpinnedImage, {
  valid: [
    `FROM alpine@${DIGEST}\n`,
    { name: 'a tag and a digest', code: `FROM alpine:3.20@${DIGEST}\n` },
    { name: 'scratch', code: 'FROM scratch\nCOPY app /\n' },
    {
      name: 'stage references',
      code: `FROM golang:1.22@${DIGEST} AS build\nFROM build AS test\nFROM scratch\nCOPY --from=build /out /\nCOPY --from=0 /x /\n`,
    },
    {
      name: 'FROM --platform=$BUILDPLATFORM of a stage',
      code: `FROM --platform=$BUILDPLATFORM golang:1.22@${DIGEST} AS build\nFROM --platform=$BUILDPLATFORM build AS cross\n`,
    },
    { name: 'a digest from an ARG', code: `ARG DIGEST=${DIGEST}\nFROM node:20@\${DIGEST}\n` },
    {
      name: 'a trusted registry',
      code: 'FROM registry.example.com/base/debian:12\n',
      trustedRegistries: ['registry.example.com'],
    },
    {
      name: 'a trusted path in a registry',
      code: 'FROM ghcr.io/acme/tools:1\nCOPY --from=ghcr.io/acme/bin:2 /x /x\n',
      trustedRegistries: ['ghcr.io/acme'],
    },
    { name: 'Docker Hub trusted by name', code: 'FROM debian:12\n', trustedRegistries: ['docker.io'] },
    {
      name: 'RUN --mount from a stage',
      code: `FROM alpine@${DIGEST} AS tools\nFROM alpine@${DIGEST}\nRUN --mount=type=bind,from=tools,target=/t ls /t\n`,
    },
  ],
  invalid: [
    {
      code: 'FROM alpine:3.20\n',
      errors: [{ line: 1, column: 6, endColumn: 17, message: base('alpine:3.20', 'alpine:3.20') }],
    },
    {
      name: 'no tag at all',
      code: 'FROM --platform=linux/amd64 ubuntu AS build\n',
      errors: [{ line: 1, column: 29, endColumn: 35, message: base('ubuntu', 'ubuntu') }],
    },
    {
      name: 'from a global ARG, pointed at as written',
      code: 'ARG BASE=debian:bookworm-slim\nFROM ${BASE}\n',
      errors: [{ line: 2, column: 6, endColumn: 13, message: base('debian:bookworm-slim', 'debian:bookworm-slim') }],
    },
    {
      name: 'another registry, with a port',
      code: 'FROM registry.example.com:5000/team/app:1.0\n',
      errors: [
        {
          line: 1,
          column: 6,
          message: base('registry.example.com:5000/team/app:1.0', 'registry.example.com:5000/team/app:1.0'),
        },
      ],
    },
    {
      name: 'a registry not trusted (a prefix of the name is not enough)',
      code: 'FROM ghcr.io/acme-evil/tools:1\n',
      trustedRegistries: ['ghcr.io/acme'],
      errors: [{ line: 1, column: 6, message: base('ghcr.io/acme-evil/tools:1', 'ghcr.io/acme-evil/tools:1') }],
    },
    {
      name: 'COPY --from an image',
      code: `FROM alpine@${DIGEST}\nCOPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/\n`,
      errors: [{ line: 2, column: 6, endColumn: 23, message: copied('nginx:1.27', 'nginx:1.27') }],
    },
    {
      name: 'RUN --mount from an image',
      code: `FROM alpine@${DIGEST}\nRUN --mount=type=cache,target=/c --mount=type=bind,from=golang:1.22,source=/usr/local/go,target=/go go version\n`,
      errors: [{ line: 2, column: 34, message: mounted('golang:1.22', 'golang:1.22') }],
    },
  ],
});
