// The xsfuzz tool: see XsfuzzApp for the commands; each lives in Commands/.
return XsFuzz.Cli.XsfuzzApp.Run(args, Console.Out, Console.Error);
