using RoamingHub.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRoamingHub();

var app = builder.Build();
app.MapRoamingHub();
app.Run();
