// Preload for test/startup.test.ts: at exit, the modules the process loaded, on stderr.
process.on("exit", () => {
	process.stderr.write(
		`loaded-at-exit ${JSON.stringify(Object.keys(require.cache))}\n`,
	);
});
