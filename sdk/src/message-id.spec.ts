import { parseEventsUrl } from './config.js';
import { deterministicMessageId, messageIdFor } from './message-id.js';

describe('messageId helpers', () => {
  it('messageIdFor follows the docs convention and is stable', () => {
    expect(messageIdFor('signup', 'u_42')).toBe('signup-u_42');
    expect(messageIdFor('signup', 42)).toBe('signup-42');
    expect(messageIdFor('project.created', 'p-1')).toBe('project.created-p-1');
  });

  it('messageIdFor refuses kinds that would make ids ambiguous, and hashes ids past 255 characters', () => {
    expect(() => messageIdFor('sign-up', 'u_1')).toThrow(TypeError);
    expect(() => messageIdFor('', 'u_1')).toThrow(TypeError);
    const long = messageIdFor('signup', 'x'.repeat(300));
    expect(long).toMatch(/^signup-sha256:[0-9a-f]{64}$/);
    expect(long).toBe(messageIdFor('signup', 'x'.repeat(300)));
  });

  it('deterministicMessageId is a sha256 of the parts that keeps their boundaries', () => {
    const id = deterministicMessageId('invoice.paid', 'in_1', 2);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(deterministicMessageId('invoice.paid', 'in_1', 2)).toBe(id);
    expect(deterministicMessageId('a-b', 'c')).not.toBe(deterministicMessageId('a', 'b-c'));
  });
});

describe('parseEventsUrl', () => {
  it('splits the settings page URL into base URL and tenant id', () => {
    expect(parseEventsUrl('https://mara.example.com/api/tenants/3f0c/events')).toEqual({
      baseUrl: 'https://mara.example.com',
      tenantId: '3f0c',
    });
    expect(parseEventsUrl('http://localhost:3000/mara/api/tenants/t1/events/')).toEqual({
      baseUrl: 'http://localhost:3000/mara',
      tenantId: 't1',
    });
  });

  it('refuses anything else', () => {
    expect(() => parseEventsUrl('https://mara.example.com/api/tenants/t1')).toThrow(/must look like/);
    expect(() => parseEventsUrl('not a url')).toThrow(/not a URL/);
  });
});
