import { classifySmtpError } from './mailer.service.js';

const smtpError = (message: string, code: string, responseCode?: number): Error =>
  Object.assign(new Error(message), { code, ...(responseCode ? { responseCode } : {}) });

describe('classifySmtpError', () => {
  it.each([
    ['connection refused', smtpError('connect ECONNREFUSED 127.0.0.1:25', 'ECONNECTION')],
    ['connection reset', smtpError('Connection closed unexpectedly', 'ECONNECTION')],
    ['greeting timeout', smtpError('Greeting never received', 'ETIMEDOUT')],
    ['socket error', smtpError('read ECONNRESET', 'ESOCKET')],
    ['DNS failure', smtpError('getaddrinfo EAI_AGAIN mail.example', 'EDNS')],
    ['greylisting', smtpError("Can't send mail - all recipients were rejected: 451 4.7.1 Greylisted", 'EENVELOPE', 451)],
    ['mailbox busy', smtpError('Message failed: 452 4.2.2 Mailbox full', 'EMESSAGE', 452)],
    ['auth temporarily unavailable', smtpError('Invalid login: 454 4.7.0 Temporary authentication failure', 'EAUTH', 454)],
  ])('retries %s', (_what, err) => {
    expect(classifySmtpError(err).transient).toBe(true);
  });

  it.each([
    ['an unknown mailbox', smtpError("Can't send mail - all recipients were rejected: 550 5.1.1 Mailbox unavailable", 'EENVELOPE', 550)],
    ['a refused message', smtpError('Message failed: 554 5.7.1 Spam', 'EMESSAGE', 554)],
    ['bad credentials', smtpError('Invalid login: 535 5.7.8 Authentication failed', 'EAUTH', 535)],
    ['an envelope nodemailer cannot build', smtpError('No recipients defined', 'EENVELOPE')],
    ['a value that is not an error', 'weird'],
  ])('does not retry %s', (_what, err) => {
    expect(classifySmtpError(err).transient).toBe(false);
  });

  it('words the reason with the code, and keeps it short', () => {
    expect(classifySmtpError(smtpError('Greeting never received', 'ETIMEDOUT')).reason).toBe('ETIMEDOUT: Greeting never received');
    expect(classifySmtpError(smtpError('x'.repeat(2000), 'ESOCKET')).reason.length).toBeLessThanOrEqual(400);
  });
});
