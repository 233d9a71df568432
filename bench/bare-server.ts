import Fastify from 'fastify';

// The yardstick: Fastify answering a JSON body the size of /sip/credentials' with no work behind it.
const app = Fastify({ logger: false });
const body = { username: '1000', password: 'x'.repeat(32), domain: 'localhost', port: 5060, transport: 'udp', display_name: 'bench', auth_username: '1000' };
app.get('/bare', async () => body);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
console.log('ready');
