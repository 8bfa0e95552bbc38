namespace XsFuzz.Serve;

/// <summary>The server cannot start on the given path (exists and is not a socket, in use, unbindable).</summary>
public sealed class ServeException(string message) : Exception(message);
