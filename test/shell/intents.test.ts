/**
 * Intents read from RUN scripts: one table row per tool or form, with the
 * packages, URLs and files expected (summaries: see summary.ts).
 */
import { describe, expect, it } from 'vitest';
import { analyzeScript, scopeOf } from '../../src/shell/index.js';
import { summarize } from './summary.js';

type Row = [script: string, expected: string[], variables?: Record<string, string | null>];

function check([script, expected, variables]: Row): void {
  const result = analyzeScript(script, { variables: scopeOf(variables ?? {}), workdir: '/work' });
  expect(result.diagnostics).toEqual([]);
  expect(result.intents.map(summarize)).toEqual(expected);
}

describe('PackageInstall', () => {
  const rows: Row[] = [
    [
      'apt-get update && apt-get install -y --no-install-recommends ca-certificates curl=7.88.1-10 git/bookworm-backports',
      ['install apt ca-certificates curl@7.88.1-10 git'],
    ],
    ['apt-get -o Dpkg::Options::=--force-confnew -t bookworm install -yq jq', ['install apt jq']],
    ['apt install -y ./pkg.deb /tmp/other.deb', ['install apt file:./pkg.deb file:/tmp/other.deb']],
    ['aptitude install -y vim', ['install apt vim']],
    ['apt-get install -y --allow-unauthenticated foo', ['install apt foo insecure']],
    ['apt-get install -y $PKGS', ['install apt a b'], { PKGS: 'a b' }],
    ['apt-get install -y $PKGS', ['install apt ?$PKGS (list not known)'], { PKGS: null }],
    ['apt-get install -y $(cat /tmp/packages.txt)', ['install apt ?$(cat /tmp/packages.txt) (list not known)']],
    ['apt-get remove -y foo; apt-get purge bar; apt-get update', []],
    [
      'apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.4-r2 "python3~3.11" libffi-dev@edge',
      ['install apk gcc musl-dev@1.2.4-r2 python3@~3.11 libffi-dev'],
    ],
    ['apk add --allow-untrusted /tmp/glibc.apk', ['install apk file:/tmp/glibc.apk insecure']],
    ['apk --no-cache add -X https://dl-cdn.alpinelinux.org/alpine/edge/testing foo', ['install apk foo']],
    ['apk del .build-deps', []],
    ['yum install -y httpd-2.4.57 @development', ['install yum httpd-2.4.57 @development']],
    [
      'dnf -y --setopt=install_weak_deps=False install python3 https://example.com/x.rpm',
      ['install dnf python3 url:https://example.com/x.rpm'],
    ],
    ['microdnf install --nodocs -y shadow-utils && microdnf clean all', ['install microdnf shadow-utils']],
    ['yum --nogpgcheck localinstall -y /tmp/x.rpm', ['install yum file:/tmp/x.rpm insecure']],
    ['dnf group install -y "Development Tools"', ['install dnf Development Tools']],
    ['zypper --non-interactive install --no-recommends curl "tar>=1.34"', ['install zypper curl tar@>=1.34']],
    ['zypper -n in -y git-core', ['install zypper git-core']],
    ['dpkg -i /tmp/tini.deb', ['install dpkg file:/tmp/tini.deb']],
    ['dpkg --print-architecture; dpkg -l', []],
    ['rpm -Uvh https://example.com/epel.rpm && rpm --import key.asc', ['install rpm url:https://example.com/epel.rpm']],
    ['rpm -ivh --nosignature /tmp/x.rpm', ['install rpm file:/tmp/x.rpm insecure']],
    ['pip install --no-cache-dir -r requirements.txt', ['install pip from=file:requirements.txt (list not known)']],
    [
      'pip3 install --upgrade pip setuptools==69.0.3 "uvicorn[standard]>=0.20,<1" wheel',
      ['install pip pip setuptools@69.0.3 uvicorn@>=0.20,<1 wheel'],
    ],
    [
      'python3 -m pip install --user -e . && python -m pip install ./dist/x.whl',
      ['install pip from=project:. (list not known)', 'install pip file:./dist/x.whl'],
    ],
    [
      'pip install git+https://github.com/a/b.git@v1 https://example.com/c.tar.gz "d @ https://e.org/d.zip"',
      ['install pip vcs:git+https://github.com/a/b.git@v1 url:https://example.com/c.tar.gz url:d'],
    ],
    ['pip install --trusted-host pypi.internal -i http://pypi.internal/simple foo', ['install pip foo insecure']],
    ['python3.11 -m pip install uv', ['install pip uv']],
    [
      'npm ci && npm install -g npm@10.2.0 @angular/cli@^17 typescript',
      ['install npm from=project:- (list not known)', 'install npm npm@10.2.0 @angular/cli@^17 typescript global'],
    ],
    ['npm install', ['install npm from=project:- (list not known)']],
    [
      'npm i --prefix /app ./local-pkg lodash user/repo https://x.org/p.tgz',
      ['install npm file:./local-pkg lodash vcs:user/repo url:https://x.org/p.tgz'],
    ],
    ['npm run build && npm test', []],
    [
      'yarn install --frozen-lockfile && yarn add react@18 && yarn global add serve',
      ['install yarn from=project:- (list not known)', 'install yarn react@18', 'install yarn serve global'],
    ],
    ['yarn --cwd /app --production', ['install yarn from=project:/app (list not known)']],
    ['yarn build', []],
    [
      'pnpm install --frozen-lockfile && pnpm add -g pnpm@8',
      ['install pnpm from=project:- (list not known)', 'install pnpm pnpm@8 global'],
    ],
    [
      'gem install bundler -v 2.4.22 --no-document && gem install rails:7.1.0 && bundle install',
      ['install gem bundler@2.4.22', 'install gem rails@7.1.0', 'install bundler from=project:- (list not known)'],
    ],
    [
      'go install golang.org/x/tools/cmd/goimports@v0.16.0 && go install -ldflags "-s -w" ./cmd/app',
      ['install go golang.org/x/tools/cmd/goimports@v0.16.0', 'build go install'],
    ],
    [
      'go get -u github.com/x/y && go mod download',
      ['install go github.com/x/y', 'install go from=project:- (list not known)'],
    ],
    [
      'cargo install ripgrep --version 14.0.3 && cargo install --git https://github.com/a/b.git b && cargo install --path .',
      [
        'install cargo ripgrep@14.0.3',
        'install cargo vcs:b',
        'install cargo from=project:. (list not known)',
        'build cargo install',
      ],
    ],
    [
      'composer require monolog/monolog:^3.0 guzzlehttp/guzzle "^7.8" && composer install --no-dev',
      [
        'install composer monolog/monolog@^3.0 guzzlehttp/guzzle@^7.8',
        'install composer from=project:- (list not known)',
      ],
    ],
    ['composer global require phpunit/phpunit', ['install composer phpunit/phpunit global']],
    ['sudo -E apt-get install -y sudo-pkg', ['install apt sudo-pkg']],
    ['DEBIAN_FRONTEND=noninteractive env FOO=1 apt-get install -y envpkg', ['install apt envpkg']],
    ['xargs apt-get install -y < /tmp/list', ['install apt from=input (list not known)']],
    ['cat list | xargs -r apk add', ['install apk from=input (list not known)']],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Download', () => {
  const rows: Row[] = [
    [
      'curl -fsSL -o /tmp/node.tar.xz "https://nodejs.org/dist/v$V/node-v$V-linux-x64.tar.xz"',
      ['download curl https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz -> /tmp/node.tar.xz'],
      { V: '20.1.0' },
    ],
    [
      'curl -fsSLO https://example.com/a/b.tar.gz?x=1',
      ['download curl https://example.com/a/b.tar.gz?x=1 -> b.tar.gz'],
    ],
    ['curl -sSL https://example.com/x > /usr/local/bin/x', ['download curl https://example.com/x -> /usr/local/bin/x']],
    [
      'curl -fsSL https://get.docker.com | sh',
      ['download curl https://get.docker.com -> | sh', 'opaque: runs a script read from its input (piped from curl)'],
    ],
    [
      'curl -fsSL https://x.io/install.sh | sudo -E bash -s -- --yes',
      [
        'download curl https://x.io/install.sh -> | bash',
        'opaque: runs a script read from its input (piped from curl)',
      ],
    ],
    [
      'curl -k --url https://self-signed.example https://two.example -o one -o two',
      [
        'download curl https://self-signed.example -> one insecure',
        'download curl https://two.example -> two insecure',
      ],
    ],
    ['wget -q https://example.com/file.zip', ['download wget https://example.com/file.zip -> file.zip']],
    [
      'wget -O /tmp/f.tgz https://example.com/f.tgz && wget -P /opt https://example.com/',
      [
        'download wget https://example.com/f.tgz -> /tmp/f.tgz',
        'download wget https://example.com/ -> /opt/index.html',
      ],
    ],
    [
      'wget -qO- https://example.com/x.tar.gz | tar xz -C /usr/local',
      ['download wget https://example.com/x.tar.gz -> | tar', 'extract tar pipe -> /usr/local'],
    ],
    [
      'curl -fsSL https://example.com/x.tgz | tar -xz -C /opt',
      ['download curl https://example.com/x.tgz -> | tar', 'extract tar pipe -> /opt'],
    ],
    ['wget --no-check-certificate -i urls.txt', ['download wget ?urls.txt -> ?urls.txt insecure']],
    ['curl -fsSL "$URL" -o out', ['download curl ?"$URL" -> out'], { URL: null }],
    [
      'git archive --remote=git@github.com:a/b.git --output=/tmp/b.tar HEAD',
      ['download git git@github.com:a/b.git -> /tmp/b.tar'],
    ],
    [
      'bash -c "$(curl -fsSL https://raw.example.com/install.sh)"',
      [
        'download curl https://raw.example.com/install.sh -> | bash',
        'opaque: runs a script that is not known statically: "$(curl -fsSL https://raw.example.com/install.sh)"',
      ],
    ],
    [
      'bash <(curl -s https://example.com/i.sh)',
      [
        'download curl https://example.com/i.sh -> | bash',
        'opaque: runs the script <(curl -s https://example.com/i.sh)',
      ],
    ],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Verify', () => {
  const rows: Row[] = [
    [
      'echo "${SHA}  /tmp/x.tgz" | sha256sum -c -',
      ['verify sha256sum target=/tmp/x.tgz expected=abc123'],
      { SHA: 'abc123' },
    ],
    [
      'echo "$SHA *python.tar.xz" | sha256sum --check --strict -',
      ['verify sha256sum target=python.tar.xz'],
      { SHA: null },
    ],
    ['sha512sum -c checksums.txt', ['verify sha512sum list=checksums.txt']],
    ['sha256sum -c <<<"deadbeef  a.zip"', ['verify sha256sum target=a.zip expected=deadbeef']],
    ['printf "%s  %s\\n" "$H" f.tar | sha256sum -c', ['verify sha256sum target=f.tar expected=00ff'], { H: '00ff' }],
    ['shasum -a 256 -c x.sha256 && md5sum --check y.md5', ['verify shasum list=x.sha256', 'verify md5sum list=y.md5']],
    ['sha256sum file.tgz', []],
    ['gpg --batch --verify python.tar.xz.asc python.tar.xz', ['verify gpg target=python.tar.xz sig=python.tar.xz.asc']],
    ['gpg --verify node.tar.gz.sig', ['verify gpg target=node.tar.gz sig=node.tar.gz.sig']],
    ['gpgv --keyring ./k.gpg SHASUMS.sig SHASUMS', ['verify gpgv target=SHASUMS sig=SHASUMS.sig']],
    ['gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys ABC', []],
    ['openssl dgst -sha256 -verify pub.pem -signature f.sig f', ['verify openssl target=f sig=f.sig']],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Extract', () => {
  const rows: Row[] = [
    ['tar -xzf /tmp/a.tgz -C /opt --strip-components=1', ['extract tar /tmp/a.tgz -> /opt']],
    ['tar xvf a.tar', ['extract tar a.tar -> .']],
    ['tar --extract --file=b.tar.xz --directory /usr/local', ['extract tar b.tar.xz -> /usr/local']],
    ['tar -C /x -xJf c.txz', ['extract tar c.txz -> /x']],
    ['tar xf - < d.tar', ['extract tar d.tar -> .']],
    ['tar -czf out.tgz dir', []],
    [
      'unzip -q /tmp/x.zip -d /opt/x && unzip y.zip',
      ['extract unzip /tmp/x.zip -> /opt/x', 'extract unzip y.zip -> .'],
    ],
    ['7z x z.7z -o/opt/z', ['extract 7z z.7z -> /opt/z']],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Build', () => {
  const rows: Row[] = [
    [
      './configure --prefix=/usr && make -j "$(nproc)" && make install',
      ['build configure', 'build make', 'build make install'],
    ],
    ['make -C src -j4 all', ['build make all']],
    [
      'cmake -S . -B build && cmake --build build && cmake --install build',
      ['build cmake configure', 'build cmake build', 'build cmake install'],
    ],
    ['ninja -C build install && meson setup build', ['build ninja install', 'build meson setup']],
    ['go build -o /app ./cmd/app && cargo build --release', ['build go build', 'build cargo build']],
    [
      'mvn -B package -DskipTests && ./gradlew build && gradle assemble',
      ['build mvn package', 'build gradle build', 'build gradle assemble'],
    ],
    ['sh ./configure && ./autogen.sh && autoreconf -fi', ['build configure', 'build autotools', 'build autotools']],
    ['python3 setup.py install', ['build setuptools install']],
    ['gcc -O2 -o hello hello.c && gcc -dumpmachine', ['build cc']],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Clone', () => {
  const rows: Row[] = [
    ['git clone https://github.com/a/b.git', ['clone https://github.com/a/b.git']],
    [
      'git clone --depth 1 -b v1.2.3 https://github.com/a/b.git /src/b',
      ['clone https://github.com/a/b.git@v1.2.3 -> /src/b'],
    ],
    [
      'git clone https://github.com/a/b.git /src/b && cd /src/b && git checkout 0123456789abcdef0123456789abcdef01234567',
      ['clone https://github.com/a/b.git@0123456789abcdef0123456789abcdef01234567 pinned -> /src/b'],
    ],
    [
      'git clone https://github.com/a/c && git -C c reset --hard ffffffffffffffffffffffffffffffffffffffff',
      ['clone https://github.com/a/c@ffffffffffffffffffffffffffffffffffffffff pinned'],
    ],
    [
      'git clone https://github.com/a/d /d && cd /tmp && git clone https://github.com/e/f && git -C /d checkout main',
      ['clone https://github.com/a/d@main -> /d', 'clone https://github.com/e/f'],
    ],
  ];
  it.each(rows)('%s', (...row) => check(row));
});

describe('Opaque', () => {
  const rows: Row[] = [
    ['sh ./install.sh --yes', ['opaque: runs the script ./install.sh']],
    [
      'bash scripts/setup.bash && ./run.sh && /docker-entrypoint.sh init',
      [
        'opaque: runs the script scripts/setup.bash',
        'opaque: runs the script ./run.sh',
        'opaque: runs the script /docker-entrypoint.sh',
      ],
    ],
    ['. ./env.sh && source /etc/profile', ['opaque: sources ./env.sh', 'opaque: sources /etc/profile']],
    ['eval "$(ssh-agent -s)"', ['opaque: evaluates a script that is not known statically: "$(ssh-agent -s)"']],
    ['eval "apt-get install -y evaluated"', ['install apt evaluated']],
    ['sh -c "apt-get install -y inner"', ['install apt inner']],
    ["su -c 'pip install x' app", ['install pip x']],
    ['bash <<EOF\napk add heredoc-pkg\nEOF', ['install apk heredoc-pkg']],
    ['sh -c "$CMD"', ['opaque: runs a script that is not known statically: "$CMD"'], { CMD: null }],
    ['$PM install -y x', ['opaque: runs a command whose name is not known statically: $PM'], { PM: null }],
    [
      'python3 /tmp/get-pip.py && node -e "console.log(1)" && python -c "import sys"',
      [
        'opaque: runs the python3 script /tmp/get-pip.py',
        'opaque: runs inline node code',
        'opaque: runs inline python code',
      ],
    ],
    ['python3 -m venv /opt/venv && python3 -m http.server', ['opaque: runs the python3 module http.server']],
    ['echo "syntax ( error"; fi', ['opaque: text the shell parser could not read: unexpected `fi`']],
  ];
  it.each(rows)('%s', (...row) => {
    const [script, expected, variables] = row;
    const result = analyzeScript(script, { variables: scopeOf(variables ?? {}) });
    expect(result.intents.map(summarize)).toEqual(expected);
  });

  it('makes the whole script opaque under a SHELL that is not POSIX', () => {
    const result = analyzeScript("Invoke-WebRequest -Uri $url -OutFile 'x.zip'", { shell: ['powershell', '-Command'] });
    expect(result.commands).toEqual([]);
    expect(result.intents.map(summarize)).toEqual([
      'opaque: runs with SHELL ["powershell","-Command"], which is not a POSIX shell',
    ]);
    expect(result.intents[0]!.command).toBeUndefined();
  });

  it('reads scripts under bash, dash, env bash or busybox sh', () => {
    for (const shell of [
      ['/bin/bash', '-o', 'pipefail', '-c'],
      ['dash', '-c'],
      ['/usr/bin/env', 'bash', '-c'],
      ['busybox', 'sh', '-c'],
    ]) {
      expect(analyzeScript('apk add x', { shell }).intents.map(summarize)).toEqual(['install apk x']);
    }
  });
});

describe('PackageDatabaseRemoval', () => {
  const rows: Row[] = [
    ['rm -rf /var/lib/apt/lists/* /var/cache/apk/*', []],
    ['rm -rf /var/lib/dpkg', ['remove-db dpkg /var/lib/dpkg']],
    ['rm -rf /var/lib/dpkg/info/*', ['remove-db dpkg /var/lib/dpkg/info/*']],
    [
      'rm -f /lib/apk/db/installed && rm -rf /var/lib/rpm',
      ['remove-db apk /lib/apk/db/installed', 'remove-db rpm /var/lib/rpm'],
    ],
    ['rm -rf /var/lib/*', ['remove-db dpkg /var/lib/*']],
    ['cd /var/lib && rm -rf dpkg', ['remove-db dpkg dpkg']],
  ];
  it.each(rows)('%s', (...row) => check(row));
});
