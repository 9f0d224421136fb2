/// <summary>The entry point, public so that tests can start the server with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
