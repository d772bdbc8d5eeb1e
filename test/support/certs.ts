import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface CertSet {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
  /** A client certificate from the right CA whose validity ended yesterday. */
  expiredCert: string;
  expiredKey: string;
  read(file: string): Buffer;
  cleanup(): void;
}

/** A throwaway CA with server and client certificates for 127.0.0.1, made with the openssl command. */
export function makeCerts(): CertSet {
  const dir = mkdtempSync(path.join(tmpdir(), 'kps-certs-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
    );
  };
  const leaf = (name: string, caName: string, extensions: string, validity: string[]) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${caName}.crt`),
      '-CAkey',
      file(`${caName}.key`),
      '-CAcreateserial',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
      ...validity,
    );
  };
  ca('ca');
  ca('stranger-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', [
    '-days',
    '2',
  ]);
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n', ['-days', '2']);
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n', ['-days', '2']);
  // A negative validity puts notAfter a day before notBefore (now): expired from the start.
  leaf('expired', 'ca', 'extendedKeyUsage=clientAuth\n', ['-days', '-1']);
  return {
    dir,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    strangerCert: file('stranger.crt'),
    strangerKey: file('stranger.key'),
    expiredCert: file('expired.crt'),
    expiredKey: file('expired.key'),
    read: (f: string) => readFileSync(f),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
