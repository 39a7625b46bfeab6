import { randomBytes } from 'node:crypto'
import type { MediaBucketLocation } from '../src/config.js'
import type { TapLike } from './helper.js'

// The S3-compatible server the media tests may be pointed at (`DATELINE_TEST_S3_ENDPOINT`;
// scripts/s3-test-server.sh starts Ceph's RADOS Gateway, and .ci/run points the PostgreSQL
// pass at it). Every app a test builds then keeps its images in one bucket, under a prefix of
// its own that is emptied after the test. The S3 client is loaded only then: every test
// process loads this module through test/helper.ts.

const testBucket = 'dateline-tests'
const region = 'us-east-1'

/** The S3 server the tests were pointed at, if any. */
export function s3TestEndpoint (): string | undefined {
  const endpoint = process.env.DATELINE_TEST_S3_ENDPOINT
  if (endpoint === undefined || endpoint === '') return undefined
  // Without keys in the environment the SDK would go looking for a cloud's instance role.
  if (process.env.AWS_ACCESS_KEY_ID === undefined || process.env.AWS_SECRET_ACCESS_KEY === undefined) {
    throw new Error('DATELINE_TEST_S3_ENDPOINT needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (scripts/s3-test-server.sh prints them)')
  }
  return endpoint
}

let bucketMade: Promise<void> | undefined

async function makeBucket (endpoint: string): Promise<void> {
  const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3')
  const client = new S3Client({ endpoint, region, forcePathStyle: true })
  try {
    await client.send(new CreateBucketCommand({ Bucket: testBucket }))
  } catch (error) {
    // Another test process made it first.
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou' && (error as Error).name !== 'BucketAlreadyExists') throw error
  } finally {
    client.destroy()
  }
}

/** Empties a prefix of the test bucket. */
async function emptyPrefix (location: MediaBucketLocation): Promise<void> {
  const { MediaBucket } = await import('../src/resources/media/s3-store.js')
  const bucket = new MediaBucket(location)
  try {
    for await (const key of bucket.keys()) await bucket.remove(key)
  } finally {
    bucket.close()
  }
}

/** A place of the test's own in the test bucket (made on first use), emptied after the test. */
export async function freshMediaBucket (t: TapLike, endpoint = s3TestEndpoint()): Promise<MediaBucketLocation> {
  if (endpoint === undefined) throw new Error('no S3 test server: set DATELINE_TEST_S3_ENDPOINT')
  bucketMade ??= makeBucket(endpoint)
  await bucketMade
  const location = { bucket: testBucket, endpoint, region, prefix: `test-${randomBytes(6).toString('hex')}/` }
  t.teardown(async () => { await emptyPrefix(location) })
  return location
}

/** The environment that points a server process at `location` (`DATELINE_MEDIA_S3_*`). */
export function bucketEnvironment (location: MediaBucketLocation): Record<string, string> {
  return {
    DATELINE_MEDIA_S3_BUCKET: location.bucket,
    DATELINE_MEDIA_S3_ENDPOINT: location.endpoint ?? '',
    DATELINE_MEDIA_S3_REGION: location.region,
    DATELINE_MEDIA_S3_PREFIX: location.prefix
  }
}
