/**
 * Usermaven's documented example payloads (identify, custom event; docs/formats.md#usermaven), made valid JSON (comments removed, the
 * missing comma added). One copy, for the OpenAPI examples and the tests; each call returns a
 * fresh object, so callers may change theirs.
 */
export function usermavenSeedIdentify(): Record<string, unknown> & { user: Record<string, unknown> } {
  return {
    api_key: 'API_KEY',
    event_id: '',
    event_type: 'user_identify',
    _timestamp: 1632150122000,
    ids: {},
    user: {
      anonymous_id: 'random_id',
      id: 'lzL24K3kYw',
      email: 'user@domain.com',
      created_at: '2021-01-20T09:55:35',
      first_name: 'John',
      last_name: 'Smith',
      custom: { plan_name: 'premium' },
    },
    company: {
      id: '65f02acc-e104-45d9-8199-1491332d8454',
      name: 'azhar',
      created_at: '2022-02-15T17:25:08',
      custom: { plan: 'premium' },
    },
    screen_resolution: '0',
    src: 'http',
    url: 'http://localhost:3000/example',
    page_title: 'Your Page Title',
    doc_path: '/example',
    doc_host: 'localhost',
    doc_search: '',
    vp_size: '0',
    user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:127.0) Gecko/20100101 Firefox/127.0',
    user_language: 'en-US',
    doc_encoding: 'UTF-8',
  };
}

/** Usermaven's documented custom event: the same payload as a `plan_upgraded` with event attributes. */
export function usermavenSeedEvent(): ReturnType<typeof usermavenSeedIdentify> {
  return { ...usermavenSeedIdentify(), event_type: 'plan_upgraded', event_attributes: { amount: 100, currency: 'USD' } };
}
