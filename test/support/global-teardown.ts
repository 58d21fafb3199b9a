export default async function globalTeardown(): Promise<void> {
  await globalThis.__PIPESCOPE_EMULATORS__?.stop();
}
