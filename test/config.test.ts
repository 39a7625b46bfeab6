import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import t from 'tap'
import { ConfigError, configFlags, databasePath, defaultReadWorkers, mediaLocationFor, printableDatabasePath, readConfig, redactDatabaseUrl } from '../src/config.js'

const adminToken = 'a-long-enough-admin-token-0123456789'

/** The ConfigError readConfig throws for `env` / `flags` (fails the test when none is thrown). */
function configError (env: NodeJS.ProcessEnv, flags: Record<string, string> = {}): ConfigError {
  try {
    readConfig(env, flags)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`no ConfigError for ${JSON.stringify({ env, flags })}`)
}

t.test('with nothing set, readConfig gives the documented defaults', async (t) => {
  t.same(readConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databaseUrl: './data/dateline.db',
    synchronous: 'normal',
    timezone: 'UTC',
    locale: 'en-US',
    demo: true,
    commentsAutoApprove: false,
    adminToken: null,
    corsOrigins: [],
    commentRateLimit: 5,
    commentDepth: 10,
    searchRateLimit: 120,
    revisionsKept: 50,
    trashDays: 30,
    changesRetentionDays: 90,
    webhooksAllowPrivate: false,
    webhookTimeout: 10000,
    bodyLimit: 1048576,
    importLimit: 536870912,
    logLevel: 'info',
    siteTitle: 'Dateline',
    siteDescription: '',
    siteUrl: null,
    articlePath: '/articles/{slug}',
    pagePath: '/{slug}',
    trustProxy: [],
    requestTimeout: 30000,
    maxConnections: 1024,
    drainDelay: 0,
    workers: 1,
    readWorkers: defaultReadWorkers(),
    readBudget: 10000,
    redisUrl: null,
    databaseReplicaUrl: null,
    mediaDir: null,
    mediaS3Bucket: null,
    mediaS3Endpoint: null,
    mediaS3Region: 'us-east-1',
    mediaS3Prefix: '',
    mediaMaxBytes: 26214400,
    mediaMaxPixels: 100000000,
    mediaRateLimit: 60
  })
})

t.test('unrelated environment variables are ignored', async (t) => {
  t.same(readConfig({ HOME: '/root', TZ: 'Europe/Paris', NODE_ENV: 'production' }), readConfig({}))
})

t.test('PORT is parsed as an integer from 0 to 65535', async (t) => {
  t.equal(readConfig({ PORT: '8080' }).port, 8080)
  t.equal(readConfig({ PORT: '0' }).port, 0)
  t.equal(readConfig({ PORT: '65535' }).port, 65535)
})

t.test('HOST is taken as given, trimmed', async (t) => {
  t.equal(readConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0')
  t.equal(readConfig({ HOST: ' ::1 ' }).host, '::1')
})

t.test('DATABASE_URL takes a file path or :memory:', async (t) => {
  t.equal(readConfig({ DATABASE_URL: ':memory:' }).databaseUrl, ':memory:')
  t.equal(readConfig({ DATABASE_URL: '/var/lib/dateline/blog.db' }).databaseUrl, '/var/lib/dateline/blog.db')
  t.equal(readConfig({ DATABASE_URL: 'data/other.db' }).databaseUrl, 'data/other.db')
})

t.test('DATABASE_URL takes a postgres:// or postgresql:// URL as it is', async (t) => {
  for (const url of [
    'postgres://postgres@127.0.0.1:5432/dateline',
    'postgresql://blog:s3cret@db.example.org/blog_prod',
    'POSTGRES://blog@db.example.org/blog?sslmode=require',
    'postgres:///dateline?host=/var/run/postgresql'
  ]) t.equal(readConfig({ DATABASE_URL: url }).databaseUrl, url, url)
  t.equal(readConfig({}, { 'database-url': 'postgres://u@h/db' }).databaseUrl, 'postgres://u@h/db', 'as a flag too')
})

t.test('a PostgreSQL URL without a host or a database, or another scheme, is refused in one line', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['postgres://user@db.example.org', /must name one database/],
    ['postgres://user@db.example.org/', /must name one database/],
    ['postgres://user@db.example.org/a/b', /must name one database/],
    ['postgres:///dateline', /names no host/],
    ['postgres://user@[::1/dateline', /not a valid PostgreSQL URL/],
    ['mysql://user@db.example.org/dateline', /SQLite file path, :memory:, or a postgres:\/\/ \(postgresql:\/\/\) URL/],
    ['https://db.example.org/dateline', /SQLite file path/]
  ]
  for (const [url, reason] of cases) {
    const error = configError({ DATABASE_URL: url })
    t.match(error.message, /^invalid setting DATABASE_URL=/, `${url} names DATABASE_URL`)
    t.match(error.message, reason, `${url}: ${String(reason)}`)
    t.notMatch(error.message, /\n/, 'in one line')
  }
})

t.test('a password in DATABASE_URL is never quoted back', async (t) => {
  const password = 's3cr:et@x'
  for (const url of [
    `postgres://blog:${password}@db.example.org`,
    `postgres://blog:${encodeURIComponent(password)}@db.example.org/`,
    `postgres://blog@db.example.org?password=${encodeURIComponent(password)}`,
    `mysql://blog:${password}@db.example.org/blog`,
    `postgres://blog:${password}@[::1/blog`
  ]) {
    for (const error of [configError({ DATABASE_URL: url }), configError({}, { 'database-url': url })]) {
      t.notOk(error.message.includes(password) || error.message.includes(encodeURIComponent(password)), `${error.message} hides the password`)
      t.match(error.message, /\*\*\*/, 'in its place: ***')
      t.match(error.message, /blog/, 'the user is still named')
    }
  }
})

t.test('redactDatabaseUrl and printableDatabasePath hide passwords only', async (t) => {
  t.equal(redactDatabaseUrl('postgres://blog:s3cret@db.example.org:5432/blog'), 'postgres://blog:***@db.example.org:5432/blog')
  t.equal(redactDatabaseUrl('postgresql://blog@db.example.org/blog?password=s3cret&sslmode=require'), 'postgresql://blog@db.example.org/blog?password=***&sslmode=require')
  t.equal(redactDatabaseUrl('postgres://blog:a@b@db.example.org/blog'), 'postgres://blog:***@db.example.org/blog', 'an unencoded @ in the password')
  t.equal(redactDatabaseUrl('postgres://blog@db.example.org/blog'), 'postgres://blog@db.example.org/blog', 'nothing to hide')
  t.equal(redactDatabaseUrl('/srv/blog:1@2.db'), '/srv/blog:1@2.db', 'a file path is left alone')
  t.equal(printableDatabasePath('postgres://u:p@h/db'), 'postgres://u:***@h/db')
  t.equal(printableDatabasePath('data/blog.db', '/opt/dateline'), resolve('/opt/dateline', 'data/blog.db'))
})

t.test('DATELINE_TIMEZONE takes an IANA name, canonicalised', async (t) => {
  t.equal(readConfig({ DATELINE_TIMEZONE: 'Europe/Berlin' }).timezone, 'Europe/Berlin')
  t.equal(readConfig({ DATELINE_TIMEZONE: 'america/new_york' }).timezone, 'America/New_York')
  t.equal(readConfig({ DATELINE_TIMEZONE: 'utc' }).timezone, 'UTC')
})

t.test('DATELINE_LOCALE takes a BCP 47 tag, canonicalised', async (t) => {
  t.equal(readConfig({ DATELINE_LOCALE: 'de-DE' }).locale, 'de-DE')
  t.equal(readConfig({ DATELINE_LOCALE: 'en-gb' }).locale, 'en-GB')
  t.equal(readConfig({ DATELINE_LOCALE: 'fr' }).locale, 'fr')
})

t.test('DATELINE_SYNCHRONOUS takes normal or full, case-insensitively', async (t) => {
  t.equal(readConfig({ DATELINE_SYNCHRONOUS: 'full' }).synchronous, 'full')
  t.equal(readConfig({ DATELINE_SYNCHRONOUS: ' NORMAL ' }).synchronous, 'normal')
  t.equal(readConfig({ DATELINE_SYNCHRONOUS: 'normal' }, { synchronous: 'full' }).synchronous, 'full', 'the --synchronous flag wins')
  t.match(configError({ DATELINE_SYNCHRONOUS: 'off' }).message, /DATELINE_SYNCHRONOUS="off": expected normal or full/)
})

t.test('DATELINE_DEMO takes the usual spellings of true and false', async (t) => {
  for (const value of ['true', 'TRUE', '1', 'yes', 'on', ' True ']) t.equal(readConfig({ DATELINE_DEMO: value }).demo, true, `${JSON.stringify(value)} is true`)
  for (const value of ['false', 'False', '0', 'no', 'off']) t.equal(readConfig({ DATELINE_DEMO: value }).demo, false, `${JSON.stringify(value)} is false`)
})

t.test('DATELINE_ADMIN_TOKEN is kept as given; empty means none', async (t) => {
  t.equal(readConfig({ DATELINE_ADMIN_TOKEN: adminToken }).adminToken, adminToken)
  t.equal(readConfig({ DATELINE_ADMIN_TOKEN: 'x'.repeat(24) }).adminToken, 'x'.repeat(24), '24 characters is enough')
  t.equal(readConfig({ DATELINE_ADMIN_TOKEN: '' }).adminToken, null)
})

t.test('DATELINE_MEDIA_S3_* name a bucket, an endpoint without keys in it, a region and a key prefix', async (t) => {
  const config = readConfig({ DATELINE_MEDIA_S3_BUCKET: 'vell-images', DATELINE_MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000/', DATELINE_MEDIA_S3_REGION: 'eu-west-1', DATELINE_MEDIA_S3_PREFIX: '/blog/media' })
  t.same([config.mediaS3Bucket, config.mediaS3Endpoint, config.mediaS3Region, config.mediaS3Prefix], ['vell-images', 'http://127.0.0.1:9000', 'eu-west-1', 'blog/media/'])
  t.same(mediaLocationFor(config), { bucket: { bucket: 'vell-images', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', prefix: 'blog/media/' } }, 'a bucket takes the place of the folder')
  t.same(mediaLocationFor(readConfig({ DATABASE_URL: '/srv/blog.db' })), { folder: '/srv/blog-media' }, 'without one, the folder beside the database')
  t.equal(readConfig({ DATELINE_MEDIA_S3_BUCKET: ' ' }).mediaS3Bucket, null, 'empty means none')
  t.match(configError({ DATELINE_MEDIA_S3_BUCKET: 'Vell_Images' }).message, /DATELINE_MEDIA_S3_BUCKET="Vell_Images": expected a bucket name/)
  t.match(configError({ DATELINE_MEDIA_S3_ENDPOINT: 'ftp://store' }).message, /DATELINE_MEDIA_S3_ENDPOINT="ftp:\/\/store": must be an http or https URL/)
  t.match(configError({ DATELINE_MEDIA_S3_ENDPOINT: 'http://key:secret@store' }).message, /must not contain credentials/)
  t.notMatch(configError({ DATELINE_MEDIA_S3_ENDPOINT: 'http://key:secret@store' }).message, /secret@/, 'the rejected value is not quoted with its secret')
  t.match(configError({ DATELINE_MEDIA_S3_REGION: 'EU West' }).message, /DATELINE_MEDIA_S3_REGION="EU West": expected a region/)
  t.match(configError({ DATELINE_MEDIA_S3_PREFIX: 'media/../other' }).message, /DATELINE_MEDIA_S3_PREFIX/)
})

t.test('LOG_LEVEL takes a pino level, case-insensitively', async (t) => {
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) t.equal(readConfig({ LOG_LEVEL: level }).logLevel, level)
  t.equal(readConfig({ LOG_LEVEL: 'DEBUG' }).logLevel, 'debug')
})

t.test('every setting can be given at once', async (t) => {
  t.same(readConfig({
    PORT: '4000',
    HOST: '0.0.0.0',
    DATABASE_URL: '/srv/blog.db',
    DATELINE_SYNCHRONOUS: 'full',
    DATELINE_TIMEZONE: 'Europe/Dublin',
    DATELINE_LOCALE: 'en-IE',
    DATELINE_DEMO: 'false',
    DATELINE_COMMENTS_AUTOAPPROVE: 'yes',
    DATELINE_ADMIN_TOKEN: adminToken,
    DATELINE_CORS_ORIGINS: 'https://blog.example.org, http://localhost:5173',
    DATELINE_COMMENT_RATE_LIMIT: '10',
    DATELINE_BODY_LIMIT: '2000000',
    LOG_LEVEL: 'warn',
    DATELINE_SITE_TITLE: 'The Vell Courier',
    DATELINE_SITE_DESCRIPTION: 'News from the Vell valley',
    DATELINE_SITE_URL: 'https://blog.example.org/',
    DATELINE_ARTICLE_PATH: '/{slug}'
  }), {
    port: 4000,
    host: '0.0.0.0',
    databaseUrl: '/srv/blog.db',
    synchronous: 'full',
    timezone: 'Europe/Dublin',
    locale: 'en-IE',
    demo: false,
    commentsAutoApprove: true,
    adminToken,
    corsOrigins: ['https://blog.example.org', 'http://localhost:5173'],
    commentRateLimit: 10,
    commentDepth: 10,
    searchRateLimit: 120,
    revisionsKept: 50,
    trashDays: 30,
    changesRetentionDays: 90,
    webhooksAllowPrivate: false,
    webhookTimeout: 10000,
    bodyLimit: 2000000,
    importLimit: 536870912,
    logLevel: 'warn',
    siteTitle: 'The Vell Courier',
    siteDescription: 'News from the Vell valley',
    siteUrl: 'https://blog.example.org',
    articlePath: '/{slug}',
    pagePath: '/{slug}',
    trustProxy: [],
    requestTimeout: 30000,
    maxConnections: 1024,
    drainDelay: 0,
    workers: 1,
    readWorkers: defaultReadWorkers(),
    readBudget: 10000,
    redisUrl: null,
    databaseReplicaUrl: null,
    mediaDir: null,
    mediaS3Bucket: null,
    mediaS3Endpoint: null,
    mediaS3Region: 'us-east-1',
    mediaS3Prefix: '',
    mediaMaxBytes: 26214400,
    mediaMaxPixels: 100000000,
    mediaRateLimit: 60
  })
})

t.test('CLI flags override the environment', async (t) => {
  const env = {
    PORT: '4000',
    HOST: '127.0.0.1',
    DATABASE_URL: '/srv/env.db',
    DATELINE_SYNCHRONOUS: 'normal',
    DATELINE_TIMEZONE: 'UTC',
    DATELINE_LOCALE: 'en-US',
    DATELINE_DEMO: 'true',
    DATELINE_COMMENTS_AUTOAPPROVE: 'false',
    DATELINE_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'info'
  }
  const flagToken = 'another-long-admin-token-abcdefghij'
  t.same(readConfig(env, {
    port: '5000',
    host: '0.0.0.0',
    'database-url': '/srv/flag.db',
    synchronous: 'full',
    timezone: 'Asia/Tokyo',
    locale: 'ja-JP',
    demo: 'false',
    'comments-autoapprove': 'true',
    'cors-origins': '*',
    'admin-token': flagToken,
    'log-level': 'debug'
  }), {
    port: 5000,
    host: '0.0.0.0',
    databaseUrl: '/srv/flag.db',
    synchronous: 'full',
    timezone: 'Asia/Tokyo',
    locale: 'ja-JP',
    demo: false,
    commentsAutoApprove: true,
    adminToken: flagToken,
    corsOrigins: ['*'],
    commentRateLimit: 5,
    commentDepth: 10,
    searchRateLimit: 120,
    revisionsKept: 50,
    trashDays: 30,
    changesRetentionDays: 90,
    webhooksAllowPrivate: false,
    webhookTimeout: 10000,
    bodyLimit: 1048576,
    importLimit: 536870912,
    logLevel: 'debug',
    siteTitle: 'Dateline',
    siteDescription: '',
    siteUrl: null,
    articlePath: '/articles/{slug}',
    pagePath: '/{slug}',
    trustProxy: [],
    requestTimeout: 30000,
    maxConnections: 1024,
    drainDelay: 0,
    workers: 1,
    readWorkers: defaultReadWorkers(),
    readBudget: 10000,
    redisUrl: null,
    databaseReplicaUrl: null,
    mediaDir: null,
    mediaS3Bucket: null,
    mediaS3Endpoint: null,
    mediaS3Region: 'us-east-1',
    mediaS3Prefix: '',
    mediaMaxBytes: 26214400,
    mediaMaxPixels: 100000000,
    mediaRateLimit: 60
  })
  t.equal(readConfig({ PORT: '4000' }, { host: '0.0.0.0' }).port, 4000, 'a flag overrides only its own setting')
  t.equal(readConfig({ PORT: '4000' }, { port: undefined }).port, 4000, 'an absent flag leaves the environment in charge')
})

t.test('configFlags lists a flag for every setting', async (t) => {
  t.same([...configFlags].sort(), ['admin-token', 'article-path', 'body-limit', 'changes-retention-days', 'comment-depth', 'comment-rate-limit', 'comments-autoapprove', 'cors-origins', 'database-replica-url', 'database-url', 'demo', 'drain-delay', 'host', 'import-limit', 'locale', 'log-level', 'max-connections', 'media-dir', 'media-max-bytes', 'media-max-pixels', 'media-rate-limit', 'media-s3-bucket', 'media-s3-endpoint', 'media-s3-prefix', 'media-s3-region', 'page-path', 'port', 'redis-url', 'request-timeout', 'revisions-kept', 'search-rate-limit', 'site-description', 'site-title', 'site-url', 'synchronous', 'timezone', 'trash-days', 'read-budget', 'read-workers', 'trust-proxy', 'webhook-timeout', 'webhooks-allow-private', 'workers'].sort())
})

t.test('each bad value is a ConfigError naming its environment variable', async (t) => {
  const cases: Array<[string, string]> = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '3000abc'],
    ['HOST', '   '],
    ['DATABASE_URL', 'postgres://user@db.example.org/'],
    ['DATABASE_URL', 'mysql://user@db.example.org/dateline'],
    ['DATELINE_TIMEZONE', 'Mars/Olympus'],
    ['DATELINE_TIMEZONE', '+01:00'],
    ['DATELINE_LOCALE', 'not a locale!!'],
    ['DATELINE_DEMO', 'maybe'],
    ['DATELINE_SYNCHRONOUS', 'off'],
    ['DATELINE_SYNCHRONOUS', 'extra'],
    ['DATELINE_ADMIN_TOKEN', 'short'],
    ['DATELINE_ADMIN_TOKEN', 'x'.repeat(23)],
    ['DATELINE_ADMIN_TOKEN', `dlp_${'x'.repeat(40)}`],
    ['LOG_LEVEL', 'shouty'],
    ['LOG_LEVEL', 'warning']
  ]
  for (const [name, value] of cases) {
    const error = configError({ [name]: value })
    t.equal(error.name, 'ConfigError')
    t.match(error.message, name, `${name}=${JSON.stringify(value)} names ${name}`)
    t.notMatch(error.message, /\n/, 'in one line')
  }
})

t.test('a ConfigError shows the bad value, except for the admin token', async (t) => {
  t.match(configError({ DATELINE_TIMEZONE: 'Mars/Olympus' }).message, 'Mars/Olympus')
  t.match(configError({ PORT: '70000' }).message, '70000')
  const secretish = 'hunter2-secret'
  t.notMatch(configError({ DATELINE_ADMIN_TOKEN: secretish }).message, secretish, 'a rejected admin token is not echoed into logs')
})

t.test('a bad value given as a flag is named by the flag', async (t) => {
  t.match(configError({}, { port: 'eighty' }).message, '--port "eighty"')
  t.match(configError({}, { timezone: 'Mars/Olympus' }).message, '--timezone')
  t.match(configError({}, { 'log-level': 'loud' }).message, '--log-level')
  t.match(configError({ PORT: '8080' }, { port: '99999' }).message, '--port "99999"', 'the flag value is the one checked, named by its flag')
  t.equal(readConfig({ PORT: 'garbage' }, { port: '8080' }).port, 8080, 'a good flag hides a bad environment value')
})

t.test('databasePath resolves file paths and leaves :memory: and PostgreSQL URLs alone', async (t) => {
  t.equal(databasePath(':memory:'), ':memory:')
  t.equal(databasePath('postgresql://u@h/db'), 'postgresql://u@h/db')
  t.equal(databasePath('/srv/blog.db'), '/srv/blog.db')
  t.equal(databasePath('data/blog.db', '/opt/dateline'), resolve('/opt/dateline', 'data/blog.db'))
  t.equal(databasePath('file:/srv/blog.db'), '/srv/blog.db')
})

t.test('DATELINE_CORS_ORIGINS takes origins, comma-separated, or *', async (t) => {
  t.same(readConfig({ DATELINE_CORS_ORIGINS: '' }).corsOrigins, [])
  t.same(readConfig({ DATELINE_CORS_ORIGINS: '*' }).corsOrigins, ['*'])
  t.match(configError({ DATELINE_CORS_ORIGINS: 'https://blog.example.org/path' }).message, 'DATELINE_CORS_ORIGINS')
  t.match(configError({ DATELINE_CORS_ORIGINS: 'not a url' }).message, 'DATELINE_CORS_ORIGINS')
})

t.test('DATELINE_COMMENT_RATE_LIMIT and DATELINE_BODY_LIMIT are positive integers', async (t) => {
  t.equal(readConfig({ DATELINE_COMMENT_RATE_LIMIT: '30' }).commentRateLimit, 30)
  t.match(configError({ DATELINE_COMMENT_RATE_LIMIT: '0' }).message, 'DATELINE_COMMENT_RATE_LIMIT')
  t.match(configError({ DATELINE_BODY_LIMIT: 'lots' }).message, 'DATELINE_BODY_LIMIT')
})

t.test('DATELINE_COMMENT_DEPTH is an integer from 2 to 50, 10 by default', async (t) => {
  t.equal(readConfig({}).commentDepth, 10)
  t.equal(readConfig({ DATELINE_COMMENT_DEPTH: '5' }).commentDepth, 5)
  t.equal(readConfig({ DATELINE_COMMENT_DEPTH: '5' }, { 'comment-depth': '3' }).commentDepth, 3)
  for (const bad of ['1', '51', 'deep', '-3']) t.match(configError({ DATELINE_COMMENT_DEPTH: bad }).message, 'DATELINE_COMMENT_DEPTH')
})

t.test('DATELINE_SEARCH_RATE_LIMIT (--search-rate-limit) is a positive number of searches a minute, 120 by default', async (t) => {
  t.equal(readConfig({}).searchRateLimit, 120)
  t.equal(readConfig({ DATELINE_SEARCH_RATE_LIMIT: '600' }).searchRateLimit, 600)
  t.equal(readConfig({ DATELINE_SEARCH_RATE_LIMIT: '600' }, { 'search-rate-limit': '30' }).searchRateLimit, 30)
  t.match(configError({ DATELINE_SEARCH_RATE_LIMIT: '0' }).message, 'DATELINE_SEARCH_RATE_LIMIT')
  t.match(configError({ DATELINE_SEARCH_RATE_LIMIT: 'many' }).message, 'DATELINE_SEARCH_RATE_LIMIT')
})

t.test('DATELINE_SITE_URL takes an absolute http(s) URL, kept without a trailing slash', async (t) => {
  t.equal(readConfig({ DATELINE_SITE_URL: 'https://blog.example.org' }).siteUrl, 'https://blog.example.org')
  t.equal(readConfig({ DATELINE_SITE_URL: 'https://blog.example.org/' }).siteUrl, 'https://blog.example.org', 'the trailing slash is normalised away')
  t.equal(readConfig({ DATELINE_SITE_URL: 'http://Example.ORG:8080/news/' }).siteUrl, 'http://example.org:8080/news', 'a path is kept, the host lower-cased')
  t.equal(readConfig({ DATELINE_SITE_URL: ' https://blog.example.org ' }).siteUrl, 'https://blog.example.org', 'trimmed')
  t.equal(readConfig({}, { 'site-url': 'https://flag.example.org/' }).siteUrl, 'https://flag.example.org', 'the --site-url flag')
  t.equal(readConfig({}).siteUrl, null, 'none by default: feeds then link to the API\'s JSON')
  t.equal(readConfig({ DATELINE_SITE_URL: ' ' }).siteUrl, null, 'empty is none')
  for (const value of ['blog.example.org', '/news', 'ftp://blog.example.org', 'mailto:news@example.org', 'https://blog.example.org/?utm=x', 'https://blog.example.org/?', 'https://blog.example.org/#top', 'https://user:secret@blog.example.org', 'not a url']) {
    const error = configError({ DATELINE_SITE_URL: value })
    t.match(error.message, 'DATELINE_SITE_URL', `${JSON.stringify(value)} is refused`)
    t.notMatch(error.message, /\n/, 'in one line')
  }
})

t.test('DATELINE_SITE_TITLE and DATELINE_SITE_DESCRIPTION are taken as given, trimmed; only the title must not be empty', async (t) => {
  t.equal(readConfig({ DATELINE_SITE_TITLE: ' Café & <Co> ' }).siteTitle, 'Café & <Co>')
  t.equal(readConfig({ DATELINE_SITE_DESCRIPTION: ' News & views ' }).siteDescription, 'News & views')
  t.equal(readConfig({ DATELINE_SITE_DESCRIPTION: '' }).siteDescription, '')
  t.equal(readConfig({}, { 'site-title': 'Flagged', 'site-description': 'From a flag' }).siteTitle, 'Flagged')
  t.match(configError({ DATELINE_SITE_TITLE: '   ' }).message, 'DATELINE_SITE_TITLE')
})

t.test('DATELINE_ARTICLE_PATH is a path with {slug} or {id}', async (t) => {
  t.equal(readConfig({ DATELINE_ARTICLE_PATH: '/{id}/{slug}.html' }).articlePath, '/{id}/{slug}.html')
  t.equal(readConfig({}, { 'article-path': '/p/{id}' }).articlePath, '/p/{id}')
  t.equal(readConfig({ DATELINE_PAGE_PATH: '/pages/{slug}/' }).pagePath, '/pages/{slug}/')
  for (const value of ['articles/{slug}', '/articles', '/articles/{title}', '//cdn.example.org/{slug}', '/a/{slug}?x=1', 'https://blog.example.org/{slug}', '/{slug}/{slug}']) {
    t.match(configError({ DATELINE_ARTICLE_PATH: value }).message, 'DATELINE_ARTICLE_PATH', `${JSON.stringify(value)} is refused`)
  }
})

t.test('DATELINE_CHANGES_RETENTION_DAYS takes whole days from 1 to 3650', async (t) => {
  t.equal(readConfig({ DATELINE_CHANGES_RETENTION_DAYS: '7' }).changesRetentionDays, 7)
  t.equal(readConfig({ DATELINE_CHANGES_RETENTION_DAYS: '7' }, { 'changes-retention-days': '365' }).changesRetentionDays, 365, 'the flag wins')
  for (const bad of ['0', '-1', '3651', '1.5', 'forever']) {
    t.throws(() => readConfig({ DATELINE_CHANGES_RETENTION_DAYS: bad }), { name: 'ConfigError', message: /DATELINE_CHANGES_RETENTION_DAYS/ }, `refuses ${JSON.stringify(bad)}`)
  }
})

t.test('DATELINE_WEBHOOKS_ALLOW_PRIVATE and DATELINE_WEBHOOK_TIMEOUT', async (t) => {
  t.equal(readConfig({ DATELINE_WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooksAllowPrivate, true)
  t.equal(readConfig({ DATELINE_WEBHOOK_TIMEOUT: '2500' }).webhookTimeout, 2500)
  t.equal(readConfig({ DATELINE_WEBHOOK_TIMEOUT: '2500' }, { 'webhook-timeout': '500' }).webhookTimeout, 500, 'the flag wins')
  for (const bad of ['99', '60001', '1.5', 'soon']) {
    t.throws(() => readConfig({ DATELINE_WEBHOOK_TIMEOUT: bad }), { name: 'ConfigError', message: /DATELINE_WEBHOOK_TIMEOUT/ }, `refuses ${JSON.stringify(bad)}`)
  }
  t.throws(() => readConfig({ DATELINE_WEBHOOKS_ALLOW_PRIVATE: 'maybe' }), { name: 'ConfigError', message: /DATELINE_WEBHOOKS_ALLOW_PRIVATE/ })
})

t.test('DATELINE_TRASH_DAYS takes whole days from 0 (no trash) to 3650', async (t) => {
  t.equal(readConfig({ DATELINE_TRASH_DAYS: '0' }).trashDays, 0)
  t.equal(readConfig({ DATELINE_TRASH_DAYS: '7' }).trashDays, 7)
  t.equal(readConfig({ DATELINE_TRASH_DAYS: '7' }, { 'trash-days': '90' }).trashDays, 90, 'the flag wins')
  for (const bad of ['-1', '3651', '1.5', 'week', '']) {
    t.throws(() => readConfig({ DATELINE_TRASH_DAYS: bad }), { name: 'ConfigError', message: /DATELINE_TRASH_DAYS/ }, `refuses ${JSON.stringify(bad)}`)
  }
})

t.test('DATELINE_TRUST_PROXY takes proxies\' addresses and CIDR ranges, never everyone', async (t) => {
  t.same(readConfig({ DATELINE_TRUST_PROXY: '' }).trustProxy, [], 'none by default')
  t.same(readConfig({ DATELINE_TRUST_PROXY: ' 10.0.0.2, 10.0.0.0/8,fd00::/8 , loopback' }).trustProxy, ['10.0.0.2', '10.0.0.0/8', 'fd00::/8', 'loopback'])
  t.same(readConfig({}, { 'trust-proxy': '::1' }).trustProxy, ['::1'], 'the --trust-proxy flag')
  for (const value of ['true', '*', '1', '2', '0.0.0.0/0', '::/0', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', 'proxy.example.org', '10.0.0.1/8/8']) {
    const error = configError({ DATELINE_TRUST_PROXY: value })
    t.match(error.message, 'DATELINE_TRUST_PROXY', `${JSON.stringify(value)} is refused`)
  }
})

t.test('the request timeout and the connection cap are read and checked', async (t) => {
  const config = readConfig({ DATELINE_REQUEST_TIMEOUT: '5000' }, { 'max-connections': '64' })
  t.equal(config.requestTimeout, 5000)
  t.equal(config.maxConnections, 64)
  t.throws(() => readConfig({ DATELINE_REQUEST_TIMEOUT: '0' }), /DATELINE_REQUEST_TIMEOUT="0": expected an integer from 100 to 3600000/)
  t.throws(() => readConfig({ DATELINE_MAX_CONNECTIONS: 'many' }), /DATELINE_MAX_CONNECTIONS="many"/)
})

t.test('read workers: a count (0 reads in the server\'s thread) or auto, one per core but one; the read budget in milliseconds', async (t) => {
  t.equal(readConfig({}).readWorkers, Math.max(1, availableParallelism() - 1), 'auto by default, at least one')
  t.equal(readConfig({ DATELINE_READ_WORKERS: '0' }).readWorkers, 0)
  t.equal(readConfig({}, { 'read-workers': '3' }).readWorkers, 3)
  t.throws(() => readConfig({ DATELINE_READ_WORKERS: 'many' }), /DATELINE_READ_WORKERS="many": expected auto \(one per core but one\) or an integer from 0 to 64/)
  t.throws(() => readConfig({ DATELINE_READ_WORKERS: '65' }), /DATELINE_READ_WORKERS="65"/)
  t.equal(readConfig({ DATELINE_READ_BUDGET: '2500' }).readBudget, 2500)
  t.throws(() => readConfig({}, { 'read-budget': '5' }), /--read-budget "5": expected an integer from 10 to 600000/)
})

t.test('workers: a count or auto (one per core); the Redis URL is checked and never echoed with its password', async (t) => {
  t.equal(readConfig({ DATELINE_WORKERS: '3' }).workers, 3)
  t.equal(readConfig({}, { workers: 'auto' }).workers, availableParallelism())
  t.throws(() => readConfig({ DATELINE_WORKERS: '0' }), /DATELINE_WORKERS="0": expected auto \(one per core\) or an integer from 1 to 256/)
  t.equal(readConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379')
  t.equal(readConfig({ REDIS_URL: '' }).redisUrl, null, 'empty is unset')
  t.throws(() => readConfig({ REDIS_URL: 'http://127.0.0.1:6379' }), /REDIS_URL="http:\/\/127.0.0.1:6379": expected a redis:\/\/ or rediss:\/\/ URL/)
  const error = (() => { try { readConfig({ REDIS_URL: 'https://user:hunter2hunter2@cache.example.org' }) } catch (error) { return error as Error } })()
  t.match(error?.message, /REDIS_URL="https:\/\/user:\*\*\*@cache.example.org"/)
  t.notMatch(error?.message, /hunter2/, 'the password stays out of the message')
})

t.test('DATABASE_REPLICA_URL: a PostgreSQL URL, only beside a PostgreSQL DATABASE_URL, never echoed with its password', async (t) => {
  const primary = 'postgres://dateline@db.example.org:5432/blog'
  t.equal(readConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: 'postgres://dateline@replica.example.org:5432/blog' }).databaseReplicaUrl, 'postgres://dateline@replica.example.org:5432/blog')
  t.equal(readConfig({ DATABASE_URL: primary }, { 'database-replica-url': 'postgresql://dateline@replica.example.org/blog' }).databaseReplicaUrl, 'postgresql://dateline@replica.example.org/blog', 'as a flag too')
  t.equal(readConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: '' }).databaseReplicaUrl, null, 'empty is unset')
  t.equal(readConfig({ DATABASE_REPLICA_URL: '' }).databaseReplicaUrl, null, 'unset goes with SQLite')

  const refusals: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
    [{ DATABASE_REPLICA_URL: 'postgres://dateline:hunter2hunter2@replica.example.org/blog' }, {}, /^invalid setting DATABASE_REPLICA_URL="postgres:\/\/dateline:\*\*\*@replica.example.org\/blog": needs a PostgreSQL DATABASE_URL/],
    [{ DATABASE_URL: ':memory:' }, { 'database-replica-url': 'postgres://dateline:hunter2hunter2@replica.example.org/blog' }, /^invalid setting --database-replica-url "postgres:\/\/dateline:\*\*\*@replica.example.org\/blog": needs a PostgreSQL DATABASE_URL/],
    [{ DATABASE_URL: primary, DATABASE_REPLICA_URL: 'replica.db' }, {}, /^invalid setting DATABASE_REPLICA_URL="replica.db": expected a postgres:\/\/ \(postgresql:\/\/\) URL/],
    [{ DATABASE_URL: primary, DATABASE_REPLICA_URL: 'postgres://dateline:hunter2hunter2@replica.example.org/' }, {}, /^invalid setting DATABASE_REPLICA_URL="postgres:\/\/dateline:\*\*\*@replica.example.org\/": must name one database/]
  ]
  for (const [env, flags, message] of refusals) {
    const error = configError(env, flags)
    t.match(error.message, message)
    t.notMatch(error.message, /\n/, 'in one line')
    t.notMatch(error.message, /hunter2/, 'the password stays out of the message')
  }
})
