import Fastify from 'fastify';
import pg from 'pg';

// The yardsticks: Fastify answering a JSON body the size of /sip/credentials' with no work behind it, and
// (with DATABASE_URL) the same after one trivial prepared query — the floor of any route that reads the database.
const app = Fastify({ logger: false });
const body = { username: '1000', password: 'x'.repeat(32), domain: 'localhost', port: 5060, transport: 'udp', display_name: 'bench', auth_username: '1000' };
app.get('/bare', async () => body);
if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  app.get('/bare-db', async () => {
    await pool.query({ name: 'bare_round_trip', text: 'select $1::text as id', values: ['1000'] });
    return body;
  });
}
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
console.log('ready');
