import { describe, expect, it } from 'vitest';
import { INSTANCES, resolveEndpoint } from '../../src/config/endpoint.js';
import { UsageError } from '../../src/errors.js';

describe('resolveEndpoint', () => {
  it.each([
    ['https://rest.iad-01.braze.com', 'https://rest.iad-01.braze.com'],
    ['https://rest.iad-01.braze.com/', 'https://rest.iad-01.braze.com'],
    ['  https://REST.fra-02.braze.eu  ', 'https://rest.fra-02.braze.eu'],
    ['https://rest.example-new-region.braze.com:8443', 'https://rest.example-new-region.braze.com:8443'],
    ['US-01', 'https://rest.iad-01.braze.com'],
    ['us-10', 'https://rest.us-10.braze.com'],
    ['eu-02', 'https://rest.fra-02.braze.eu'],
    ['AU-01', 'https://rest.au-01.braze.com'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000'],
    ['http://localhost:4000/', 'http://localhost:4000'],
    ['http://[::1]:9', 'http://[::1]:9'],
  ])('accepts %j as %s', (input, expected) => {
    expect(resolveEndpoint(input)).toBe(expected);
  });

  it.each([
    ['https://https://rest.iad-01.braze.com', /doubled scheme; use https:\/\/rest\.iad-01\.braze\.com/],
    ['https://sdk.iad-01.braze.com', /SDK endpoint, not the REST API's; use the REST endpoint https:\/\/rest\.iad-01\.braze\.com$/],
    ['https://sdk.fra-01.braze.eu', /use the REST endpoint https:\/\/rest\.fra-01\.braze\.eu/],
    ['https://rest.iad-01.braze.com/users/track', /must not contain a path \(\/users\/track\)/],
    ['https://rest.iad-01.braze.com/?x=1', /query or fragment/],
    ['https://rest.iad-01.braze.com#top', /query or fragment/],
    ['http://rest.iad-01.braze.com', /plain http:\/\/.*use https:\/\/rest\.iad-01\.braze\.com/],
    ['http://10.0.0.5:4000', /plain http:\/\//],
    // The same host with https://, never another cluster's.
    ['rest.iad-03.braze.com', /has no scheme; use https:\/\/rest\.iad-03\.braze\.com$/],
    ['REST.fra-02.braze.eu/', /has no scheme; use https:\/\/rest\.fra-02\.braze\.eu$/],
    ['rest.iad-03.braze.com/users/track', /has no scheme; use https:\/\/rest\.iad-03\.braze\.com$/],
    ['rest.example.braze.com:8443', /has no scheme; use https:\/\/rest\.example\.braze\.com:8443$/],
    ['127.0.0.1:4000', /has no scheme; use http:\/\/127\.0\.0\.1:4000$/],
    ['localhost:4000', /has no scheme; use http:\/\/localhost:4000$/],
    // The SDK host, with or without a scheme: its REST host.
    ['sdk.iad-01.braze.com', /sdk\.iad-01\.braze\.com is the SDK endpoint, not the REST API's; use the REST endpoint https:\/\/rest\.iad-01\.braze\.com$/],
    ['sdk.iad-03.braze.com/', /is the SDK endpoint.*use the REST endpoint https:\/\/rest\.iad-03\.braze\.com$/],
    ['https://SDK.iad-01.braze.com', /is the SDK endpoint.*use the REST endpoint https:\/\/rest\.iad-01\.braze\.com$/],
    ['rest iad-01', /not a URL or an instance name/],
    ['hello world', /not a URL or an instance name/],
    ['ftp://rest.iad-01.braze.com', /must use https/],
    ['https://user:pw@rest.iad-01.braze.com', /must not contain credentials/],
    ['US-09', /Unknown Braze instance US-09; valid instances: US-01, US-02/],
    ['', /empty/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveEndpoint(input)).toThrow(UsageError);
    expect(() => resolveEndpoint(input)).toThrow(message);
  });

  it('knows exactly the twelve instances of the data-centre table', () => {
    expect(Object.keys(INSTANCES)).toEqual([
      'US-01', 'US-02', 'US-03', 'US-04', 'US-05', 'US-06', 'US-07', 'US-08', 'US-10', 'EU-01', 'EU-02', 'AU-01',
    ]);
  });
});
