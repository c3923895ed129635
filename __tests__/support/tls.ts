/**
 * Self-signed certificates for serving HTTPS on 127.0.0.1 in tests, e.g. the GitHub API stand-in
 * (`startGitHubApi({ tls })`) where a workflow runner insists on an https:// GitHub instance.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface ThrowawayCertificate {
  /** PEM texts, for `https.createServer` (key and cert) or a client's `ca` (cert). */
  key: string;
  cert: string;
  /** The certificate's file, for child processes to trust: NODE_EXTRA_CA_CERTS for Node, SSL_CERT_FILE for Go programs on Linux. */
  certFile: string;
  /** The private key's file, for servers that read it from a file. */
  keyFile: string;
}

/**
 * Writes a key and a certificate for IP 127.0.0.1, valid for a day, into `dir` (key.pem, cert.pem).
 * The certificate is its own issuer, so trusting it as a CA is all a client needs.
 */
export function throwawayCertificate(dir: string): ThrowawayCertificate {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'];
  // Clients check an address against subjectAltName only, never against the common name.
  args.push('-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile);
  try {
    // openssl reports progress on stderr: piped, it stays out of the test output but is kept in errors.
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw missing ? new Error('throwawayCertificate needs openssl on PATH', { cause: error }) : error;
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile, keyFile };
}
